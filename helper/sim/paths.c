/* nftw() is XSI. */
#define _XOPEN_SOURCE 700
#include "paths.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

int mkdirs(char *path)
{
	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

int remove_tree(const char *path)
{
	int rc = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc == 0 || errno == ENOENT ? 0 : -1;
}

int out_dir_check(const char *option, const char *dir)
{
	if (*dir)
		return 0;
	fprintf(stderr, "%s: an empty folder name; give a folder (\".\" for this one)\n", option);
	return -1;
}

int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino ? -1 : 0;
}
