/* expect: runtime_error (SIGSYS under bwrap; firejail answers EPERM: -1)
   A 32-bit syscall (int 0x80) from a 64-bit process: the seccomp filter kills the process, so
   the 32-bit ABI cannot be used to slip past a filter written for x86_64 numbers. */
#include <stdio.h>

int main(void) {
  long r;
  printf("before\n");
  fflush(stdout);
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); /* i386 getpid */
  printf("survived %ld\n", r);
  return 0;
}
