const http = require('http');
const port = Number(process.argv[2]);
let count = 0;
http.createServer((req, res) => {
  count += 1;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({hello: 'from an enclave', path: req.url, requests: count}));
}).listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
