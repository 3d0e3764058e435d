/* Output folders. */
#ifndef PATHS_H
#define PATHS_H

/* mkdir -p: 0, or -1 with errno set (ENOENT for an empty path).  `path` is
 * restored on return. */
int mkdirs(char *path);
/* rm -r: 0 (also when `path` does not exist), or -1 with errno set. */
int remove_tree(const char *path);
/* An output folder named on the command line (`option`, like "--out"):
 * 0, or -1 after a message on stderr.  An empty name is refused: every
 * output path is built below it, and "" would put them in "/". */
int out_dir_check(const char *option, const char *dir);
/* 0 when `a` and `b` are different files (or `b` does not exist yet), -1
 * when they are the same file under any name (same device and inode). */
int same_file(const char *a, const char *b);

#endif
