import java.util.Scanner;

public class Dialogue {
  public static void main(String[] args) {
    long t = System.nanoTime();
    long x = 0;
    while (System.nanoTime() - t < 1_000_000_000L) x++; // computes for a second before asking
    System.out.println("ready");
    Scanner in = new Scanner(System.in);
    System.out.print("Number? ");
    int n = in.nextInt();
    System.out.println("Double: " + 2 * n);
    System.out.print("A? ");
    int a = in.nextInt();
    System.out.print("B? ");
    int b = in.nextInt();
    System.out.println("Sum: " + (a + b));
    if (x == 0) System.out.println("-");
  }
}
