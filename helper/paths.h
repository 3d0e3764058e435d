/* Output folders. */
#ifndef PATHS_H
#define PATHS_H

/* mkdir -p: 0, or -1 with errno set.  `path` is restored on return. */
int mkdirs(char *path);
/* rm -r: 0 (also when `path` does not exist), or -1 with errno set. */
int remove_tree(const char *path);

#endif
