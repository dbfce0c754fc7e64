// Java's ProcessBuilder (posix_spawn of jspawnhelper, which then execs the command): output
// read through a pipe, stdin written to the child, the exit status, and destroy().
public class ProcessSpawn {
  public static void main(String[] args) throws Exception {
    Process echo = new ProcessBuilder("/bin/echo", "from a child").redirectErrorStream(true).start();
    System.out.println("echo: " + new String(echo.getInputStream().readAllBytes()).trim() + ", exit " + echo.waitFor());

    Process cat = new ProcessBuilder("/bin/cat").start();
    cat.getOutputStream().write("through cat\n".getBytes());
    cat.getOutputStream().close();
    System.out.println("cat: " + new String(cat.getInputStream().readAllBytes()).trim() + ", exit " + cat.waitFor());

    Process sh = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
    System.out.println("sh exit 3: " + sh.waitFor());

    Process sleep = new ProcessBuilder("/bin/sleep", "30").start();
    sleep.destroy();
    System.out.println("destroyed sleep: " + sleep.waitFor());

    try {
      new ProcessBuilder("/nonexistent/program").start();
      System.out.println("missing program started?");
    } catch (java.io.IOException e) {
      System.out.println("missing program: IOException");
    }
  }
}
