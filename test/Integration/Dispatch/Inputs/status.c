/* Calls add_main (out = a + b on 4 floats) once with real buffers and once
 * with a NULL one, and prints the statuses, the kernel variant the object
 * chose and the sum. */
#include "add.h"
#include <stdio.h>

int main(void) {
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, out[4] = {0};
  int status = add_main(a, b, out);
  const char *variant = add_kernel_variant();
  printf("status %d variant %s sum %g %g %g %g\n", status,
         variant ? variant : "(none)", out[0], out[1], out[2], out[3]);
  printf("null status %d\n", add_main(a, NULL, out));
  return 0;
}
