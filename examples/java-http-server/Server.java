// A small JSON service on Java's built-in HTTP server with a thread pool: the kind of
// program a user moves into an enclave unchanged. Usage: java -jar server.jar PORT
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

public class Server {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    AtomicLong requests = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    server.setExecutor(pool);
    server.createContext("/", exchange -> {
      long n = requests.incrementAndGet();
      String body = String.format("{\"path\":\"%s\",\"requests\":%d,\"thread\":\"%s\"}",
          exchange.getRequestURI().getPath(), n, Thread.currentThread().getName().startsWith("pool") ? "pool" : "other");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutting down after " + requests.get() + " requests")));
    server.start();
    System.out.println("listening on 127.0.0.1:" + port + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
  }
}
