/* Output folders. */
#ifndef PATHS_H
#define PATHS_H

/* mkdir -p: 0, or -1 with errno set.  `path` is restored on return. */
int mkdirs(char *path);

#endif
