# Pseudo-terminals (compared with a native run): openpty (TIOCGPTPEER or TIOCGPTN and
# TIOCSPTLCK), isatty and ttyname, data both ways with the line discipline's echo and
# CR-LF, termios read and written (the kernel's 36-byte struct termios), window size.
import fcntl, os, struct, termios

m, s = os.openpty()
print("ttys", os.isatty(m), os.isatty(s), os.ttyname(s).startswith("/dev/pts/"))
os.write(m, b"hi\n")
print("slave reads", os.read(s, 100))
print("master reads the echo", os.read(m, 100))
os.write(s, b"back\n")
print("master reads", os.read(m, 100))
a = termios.tcgetattr(s)
print("termios", len(a), len(a[6]), bool(a[3] & termios.ECHO), bool(a[3] & termios.ICANON))
a[3] &= ~(termios.ECHO | termios.ICANON)
termios.tcsetattr(s, termios.TCSANOW, a)
b = termios.tcgetattr(s)
print("echo and canonical mode off", not (b[3] & termios.ECHO), not (b[3] & termios.ICANON), b[:6] == a[:6])
os.write(m, b"x")
print("raw byte", os.read(s, 100))
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
print("window", struct.unpack("HHHH", fcntl.ioctl(m, termios.TIOCGWINSZ, b"\0" * 8)))
os.close(s)
os.close(m)
print("done")
