#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
  double t = now();
  volatile unsigned long x = 0;
  while (now() - t < 1.0) x++; /* computes for a second before asking anything */
  printf("ready\n");
  int n, a, b;
  printf("Number? "); /* no fflush: written the way people write it */
  if (scanf("%d", &n) != 1) return 2;
  printf("Double: %d\n", 2 * n);
  printf("A? ");
  if (scanf("%d", &a) != 1) return 2;
  printf("B? ");
  if (scanf("%d", &b) != 1) return 2;
  printf("Sum: %d\n", a + b);
  return 0;
}
