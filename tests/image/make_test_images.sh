#!/usr/bin/env bash
# Builds the real images the image end-to-end tests wrap, from what Debian installs:
#   OUT/busybox-oci        oci layout, tag latest: busybox-static + applet symlinks (umoci)
#   OUT/busybox.tar        the same image as a docker-archive (skopeo), localhost/cocoon-test-busybox:latest
#   OUT/python-oci         oci layout, tag latest: the host's /usr/bin/python3 and its libraries,
#                          ENTRYPOINT ["/app/hello.py"] (a #!/usr/bin/env python3 script)
# Cached: does nothing when OUT/.done exists. Serialised with flock so parallel tests share it.
# Needs umoci and skopeo; exits 77 when one is missing.
set -euo pipefail
OUT=$1
SRC=$(cd "$(dirname "$0")" && pwd)
for t in umoci skopeo flock; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 77; }; done
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9
[ -e "$OUT/.done" ] && exit 0
rm -rf "$OUT"/{busybox-oci,busybox.tar,python-oci,work}
W=$OUT/work; mkdir -p "$W"

# --- busybox -------------------------------------------------------------------------------
R=$W/bb; mkdir -p $R/bin $R/tmp $R/etc $R/proc $R/sys $R/dev
cp /bin/busybox $R/bin/
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox $R/bin/$a; done
chmod 1777 $R/tmp; echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
umoci init --layout "$OUT/busybox-oci"
umoci new --image "$OUT/busybox-oci:latest"
umoci insert --image "$OUT/busybox-oci:latest" $R / >/dev/null
umoci config --image "$OUT/busybox-oci:latest" --config.entrypoint /bin/sh --config.cmd -c \
  --config.cmd 'echo hello from busybox; exit 7' --config.env PATH=/bin --config.workingdir / \
  --created 2026-01-01T00:00:00Z --history.created 2026-01-01T00:00:00Z
skopeo copy -q oci:"$OUT/busybox-oci:latest" docker-archive:"$OUT/busybox.tar":localhost/cocoon-test-busybox:latest

# --- python: the host interpreter and what it loads -----------------------------------------
R=$W/py; mkdir -p $R/usr/bin $R/usr/lib $R/tmp $R/etc $R/app
cp -L /usr/bin/python3.11 $R/usr/bin/; ln -s python3.11 $R/usr/bin/python3
cp -a /usr/lib/python3.11 $R/usr/lib/
rm -rf $R/usr/lib/python3.11/{test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,pydoc_data,distutils,unittest,config-3.11-x86_64-linux-gnu,site-packages,dist-packages}
find $R/usr/lib/python3.11 -name __pycache__ -prune -exec rm -rf {} +
for l in $(ldd /usr/bin/python3.11 /usr/lib/python3.11/lib-dynload/*.so | awk '/=>/{print $3} /^\t\//{print $1}' | sort -u); do
  mkdir -p $R$(dirname $l); cp -L $l $R$l; done
# Debian's layout: the loader lives in /lib/x86_64-linux-gnu, /lib64 only links to it.
mkdir -p $R/lib/x86_64-linux-gnu
mv $R/lib64/ld-linux-x86-64.so.2 $R/lib/x86_64-linux-gnu/
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 $R/lib64/ld-linux-x86-64.so.2
chmod 1777 $R/tmp; echo 'root:x:0:0:root:/root:/bin/sh' > $R/etc/passwd; echo 'root:x:0:' > $R/etc/group
install -m 0755 "$SRC/hello.py" $R/app/hello.py
umoci init --layout "$OUT/python-oci"
umoci new --image "$OUT/python-oci:latest"
# (umoci 0.4.7 `insert` wrote a truncated gzip layer for this ~50 MB tree, with a diff_id that
# matched the truncated stream; a GNU tar layer added with `raw add-layer` is complete.)
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C $R -cf $W/py.tar .
umoci raw add-layer --image "$OUT/python-oci:latest" $W/py.tar
umoci config --image "$OUT/python-oci:latest" --config.entrypoint /app/hello.py --config.cmd greet \
  --config.env PATH=/usr/bin:/bin --config.env GREETING=demo --config.workingdir /app --config.exposedports 8000/tcp \
  --created 2026-01-01T00:00:00Z --history.created 2026-01-01T00:00:00Z
rm -rf "$W"
touch "$OUT/.done"
