/*
 * unit.h: what every cmocka unit test includes.
 *
 * cmocka needs <stdarg.h>, <stddef.h>, <setjmp.h> and <stdint.h> before
 * <cmocka.h>; this header includes them in that order, plus helpers for
 * temporary directories.
 */
#ifndef SKIFF_TESTS_UNIT_H
#define SKIFF_TESTS_UNIT_H 1

#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

/* Creates a fresh temporary directory and returns its path (the caller
 * frees it and removes the directory with unit_rmdir_r()). */
static inline char *
unit_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/skiff-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fail_msg("mkdtemp(%s) failed", dir);
    }
    return dir;
}

/* Removes DIR and everything in it. */
static inline void
unit_rmdir_r(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    assert_int_equal(rc, 0);
}

#endif /* unit.h */
