#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int ask(const char *prompt) {
  char line[64];
  fputs(prompt, stdout); /* no fflush: written the way people write it */
  if (!fgets(line, sizeof line, stdin)) exit(2);
  return atoi(line);
}

int main(void) {
  double t = now();
  volatile unsigned long x = 0;
  while (now() - t < 1.0) x++; /* computes for a second before asking anything */
  puts("ready");
  int n = ask("Number? ");
  printf("Double: %d\n", 2 * n);
  int a = ask("A? ");
  int b = ask("B? ");
  printf("Sum: %d\n", a + b);
  return 0;
}
