/* Unit tests for lib/db-log: the database's durable, append-only file. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db-log.h"
#include "dynamic-string.h"
#include "vlog.h"

static char *tmp_dir;
static char *log_name;          /* vlog's file. */

/* ---- Helpers. ---- */

/* Returns TMP_DIR/NAME; the caller frees it. */
static char *
tmp_file(const char *name)
{
    return xasprintf("%s/%s", tmp_dir, name);
}

/* Returns the contents of PATH and sets *NP to their length. */
static char *
slurp(const char *path, size_t *np)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    FILE *file = fopen(path, "rb");

    assert_non_null(file);
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    fclose(file);
    *np = s.length;
    return ds_steal_cstr(&s);
}

/* Makes PATH hold exactly the N bytes at DATA. */
static void
spew(const char *path, const void *data, size_t n)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, n, file), n);
    assert_int_equal(fclose(file), 0);
}

static off_t
file_size(const char *path)
{
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    return s.st_size;
}

static bool
exists(const char *path)
{
    return !access(path, F_OK);
}

/* Asserts that vlog's file has a line with TEXT. */
static void
assert_logged(const char *text)
{
    size_t n;
    char *log = slurp(log_name, &n);
    if (!strstr(log, text)) {
        fail_msg("log lacks \"%s\":\n%s", text, log);
    }
    free(log);
}

/* Asserts that vlog's file has a line with both A and, after it, B. */
static void
assert_logged_line(const char *a, const char *b)
{
    size_t n;
    char *log = slurp(log_name, &n);
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = strstr(line, a);
        if (p && strstr(p + strlen(a), b)) {
            free(log);
            return;
        }
    }
    free(log);
    log = slurp(log_name, &n);
    fail_msg("log lacks a line with \"%s\" and \"%s\":\n%s", a, b, log);
}

/* Empties vlog's file. */
static void
clear_log(void)
{
    assert_int_equal(truncate(log_name, 0), 0);
}

/* Record number I: records differ in type, size and content. */
static struct json_object *
make_record(int i)
{
    struct json_object *obj = json_object_new_object();
    json_object_object_add(obj, "n", json_object_new_int(i));
    switch (i % 5) {
    case 0:
        json_object_object_add(obj, "s",
                               json_object_new_string("br-int/\"x\"\n\t\x01"));
        break;
    case 1: {
        struct json_object *a = json_object_new_array();
        for (int j = 0; j < i % 37; j++) {
            json_object_array_add(a, json_object_new_double(j / 3.0));
        }
        json_object_object_add(obj, "a", a);
        break;
    }
    case 2:
        json_object_object_add(obj, "u", json_object_new_string(
                                   "\xc3\xa9t\xc3\xa9 \xe2\x82\xac"));
        break;
    case 3:
        json_object_object_add(obj, "b", json_object_new_boolean(i & 1));
        json_object_object_add(obj, "z", NULL);
        break;
    default: {
        char *s = xmalloc((size_t) i * 7 + 1);
        memset(s, 'x', (size_t) i * 7);
        s[i * 7] = '\0';
        json_object_object_add(obj, "long", json_object_new_string(s));
        free(s);
        break;
    }
    }
    return obj;
}

static void
write_record(struct db_log *log, struct json_object *record)
{
    assert_int_equal(db_log_write(log, record), 0);
    json_object_put(record);
}

/* Reads the next record of LOG and asserts that it equals EXPECTED, which
 * it frees. */
static void
expect_record(struct db_log *log, struct json_object *expected)
{
    struct json_object *record;
    assert_int_equal(db_log_read(log, &record), 0);
    assert_non_null(record);
    if (!json_object_equal(record, expected)) {
        fail_msg("read %s, expected %s",
                 json_object_to_json_string(record),
                 json_object_to_json_string(expected));
    }
    json_object_put(record);
    json_object_put(expected);
}

static void
expect_end(struct db_log *log)
{
    struct json_object *record = (struct json_object *) 1;
    assert_int_equal(db_log_read(log, &record), 0);
    assert_null(record);
}

/* Opens PATH with MODE, asserting success. */
static struct db_log *
open_log(const char *path, enum db_log_mode mode)
{
    struct db_log *log;
    assert_int_equal(db_log_open(path, mode, &log), 0);
    assert_non_null(log);
    return log;
}

/* Creates PATH with records 0 to N - 1, committed.  Sets ENDS[i] to the
 * offset after record i, if ENDS is nonnull. */
static void
make_db(const char *path, int n, off_t *ends)
{
    struct db_log *log = open_log(path, DB_LOG_CREATE);
    expect_end(log);
    for (int i = 0; i < n; i++) {
        write_record(log, make_record(i));
        if (ends) {
            ends[i] = db_log_get_offset(log);
        }
    }
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
}

/* Reads records 0 to N - 1 from LOG, then the end. */
static void
expect_records(struct db_log *log, int n)
{
    for (int i = 0; i < n; i++) {
        expect_record(log, make_record(i));
    }
    expect_end(log);
    assert_int_equal(db_log_get_n_records(log), n);
}

/* Runs FN(ARG) in a child process and returns its exit status. */
static int
in_child(int (*fn)(const void *), const void *arg)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        _exit(fn(arg));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* In a child: the result of opening PATH for writing. */
static int
child_open_rw(const void *path)
{
    struct db_log *log;
    int error = db_log_open(path, DB_LOG_READ_WRITE, &log);
    db_log_close(log);
    return error;
}

/* In a child: the result of opening PATH read-only. */
static int
child_open_ro(const void *path)
{
    struct db_log *log;
    int error = db_log_open(path, DB_LOG_READ_ONLY, &log);
    db_log_close(log);
    return error;
}

/* ---- CRC-32C. ---- */

static void
test_crc32c(void **state)
{
    const char *check = "123456789";
    assert_int_equal(crc32c(0, check, 9), 0xE3069283);
    assert_int_equal(crc32c(0, "", 0), 0);
    assert_int_equal(crc32c(0x12345678, "", 0), 0x12345678);

    /* Incremental: any split gives the same result. */
    for (size_t i = 0; i <= 9; i++) {
        uint32_t crc = crc32c(0, check, i);
        assert_int_equal(crc32c(crc, check + i, 9 - i), 0xE3069283);
    }

    /* Known answers for 32 bytes of zeros, ones and 0 to 31. */
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    assert_int_equal(crc32c(0, buf, sizeof buf), 0x8A9136AA);
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(crc32c(0, buf, sizeof buf), 0x62A8AB43);
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t) i;
    }
    assert_int_equal(crc32c(0, buf, sizeof buf), 0x46DD794E);
}

/* ---- Opening, writing, reading. ---- */

static void
test_round_trip(void **state)
{
    enum { N = 1000 };
    char *path = tmp_file("db");
    struct db_log *log = open_log(path, DB_LOG_CREATE);
    assert_string_equal(db_log_get_name(log), path);
    expect_end(log);

    for (int i = 0; i < N; i++) {
        write_record(log, make_record(i));
    }
    /* Other kinds of JSON values than objects. */
    write_record(log, json_object_new_int(-42));
    write_record(log, json_object_new_string(""));
    write_record(log, json_object_new_boolean(0));
    write_record(log, json_object_new_array());
    assert_int_equal(db_log_commit(log), 0);
    assert_int_equal(db_log_commit(log), 0);
    assert_int_equal(db_log_get_n_records(log), N + 4);
    assert_int_equal(db_log_get_offset(log), file_size(path));
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_ONLY);
    for (int i = 0; i < N; i++) {
        expect_record(log, make_record(i));
    }
    expect_record(log, json_object_new_int(-42));
    expect_record(log, json_object_new_string(""));
    expect_record(log, json_object_new_boolean(0));
    expect_record(log, json_object_new_array());
    expect_end(log);
    expect_end(log);
    assert_int_equal(db_log_get_n_records(log), N + 4);
    assert_int_equal(db_log_get_offset(log), file_size(path));
    db_log_close(log);
    free(path);
}

/* The file is what db-log.h says, byte for byte. */
static void
test_format(void **state)
{
    char *path = tmp_file("db");
    struct db_log *log = open_log(path, DB_LOG_CREATE);
    expect_end(log);
    struct json_object *obj = json_object_new_object();
    json_object_object_add(obj, "a", json_object_new_int(1));
    write_record(log, obj);
    write_record(log, json_object_new_int(7));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);

    char *expected = xasprintf("SKIFFDB 7 %08x\n{\"a\":1}\n"
                               "SKIFFDB 1 %08x\n7\n",
                               (unsigned int) crc32c(0, "{\"a\":1}", 7),
                               (unsigned int) crc32c(0, "7", 1));
    size_t n;
    char *content = slurp(path, &n);
    assert_int_equal(n, strlen(expected));
    assert_string_equal(content, expected);
    free(content);
    free(expected);
    free(path);
}

/* Records larger than the read buffer, among small ones. */
static void
test_large_records(void **state)
{
    char *path = tmp_file("db");
    size_t big_len = 3 * 1024 * 1024;
    char *big = xmalloc(big_len + 1);
    for (size_t i = 0; i < big_len; i++) {
        big[i] = (char) ('a' + i % 26);
    }
    big[big_len] = '\0';

    struct db_log *log = open_log(path, DB_LOG_CREATE);
    expect_end(log);
    write_record(log, make_record(1));
    write_record(log, json_object_new_string(big));
    write_record(log, make_record(2));
    write_record(log, json_object_new_string(big + 1));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_WRITE);
    expect_record(log, make_record(1));
    expect_record(log, json_object_new_string(big));
    expect_record(log, make_record(2));
    expect_record(log, json_object_new_string(big + 1));
    expect_end(log);
    assert_int_equal(db_log_get_offset(log), file_size(path));
    db_log_close(log);
    free(big);
    free(path);
}

static void
test_append_after_reopen(void **state)
{
    char *path = tmp_file("db");
    make_db(path, 10, NULL);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 10);
    for (int i = 10; i < 20; i++) {
        write_record(log, make_record(i));
    }
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);

    log = open_log(path, DB_LOG_CREATE);
    expect_records(log, 20);
    db_log_close(log);
    free(path);
}

static void
test_create_empty(void **state)
{
    char *path = tmp_file("db");
    struct db_log *log = open_log(path, DB_LOG_CREATE);
    assert_true(exists(path));
    assert_int_equal(file_size(path), 0);
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(s.st_mode & 07777, 0640 & ~mask);
    expect_end(log);
    assert_int_equal(db_log_get_n_records(log), 0);
    assert_int_equal(db_log_get_offset(log), 0);
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);

    /* An empty file is an empty database, however it is opened. */
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_end(log);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_WRITE);
    expect_end(log);
    db_log_close(log);
    assert_int_equal(file_size(path), 0);
    free(path);
}

static void
test_enoent(void **state)
{
    char *path = tmp_file("missing");
    struct db_log *log = (struct db_log *) 1;
    assert_int_equal(db_log_open(path, DB_LOG_READ_ONLY, &log), ENOENT);
    assert_null(log);
    assert_int_equal(db_log_open(path, DB_LOG_READ_WRITE, &log), ENOENT);
    assert_null(log);
    assert_false(exists(path));

    char *deep = tmp_file("no/such/dir/db");
    assert_int_equal(db_log_open(deep, DB_LOG_CREATE, &log), ENOENT);
    assert_null(log);
    free(deep);
    free(path);
}

/* A directory is not a database. */
static void
test_not_a_file(void **state)
{
    struct db_log *log;
    assert_int_equal(db_log_open(tmp_dir, DB_LOG_READ_ONLY, &log), EINVAL);
    assert_null(log);
    assert_logged("not a regular file");
}

/* ---- Files that are not Skiff databases. ---- */

static void
check_refused(const char *content, size_t n, enum db_log_mode mode)
{
    char *path = tmp_file("foreign");
    spew(path, content, n);
    clear_log();

    struct db_log *log = open_log(path, mode);
    struct json_object *record = (struct json_object *) 1;
    assert_int_equal(db_log_read(log, &record), EPROTO);
    assert_null(record);
    assert_int_equal(db_log_read(log, &record), EPROTO);

    struct json_object *obj = json_object_new_object();
    assert_int_not_equal(db_log_write(log, obj), 0);
    json_object_put(obj);
    struct db_log *new = (struct db_log *) 1;
    assert_int_not_equal(db_log_replace_start(log, &new), 0);
    assert_null(new);
    db_log_close(log);

    char *msg = xasprintf("|db_log|ERR|%s: not a Skiff database", path);
    assert_logged(msg);
    free(msg);

    /* Nothing was written. */
    size_t after_len;
    char *after = slurp(path, &after_len);
    assert_int_equal(after_len, n);
    assert_memory_equal(after, content, n);
    char *tmp = xasprintf("%s.tmp", path);
    assert_false(exists(tmp));
    free(tmp);
    free(after);
    free(path);
}

static void
test_not_skiff(void **state)
{
    static const char *files[] = {
        "hello, world\n",
        "OVSDB JSON 2 0123456789abcdef0123456789abcdef01234567\n{}\n",
        "SKIFFDB\n",
        "SKIFFDB \n{}\n",
        "SKIFFDB 2\n{}\n",
        "SKIFFDB 2 zzzzzzzz\n{}\n",
        "SKIFFDB 2 44D88F0C\n{}\n",         /* Uppercase hex. */
        "SKIFFDB 2 44d88f0c0\n{}\n",        /* Nine hex digits. */
        "SKIFFDB 02 44d88f0c\n{}\n",        /* Leading zero. */
        "SKIFFDB 0 00000000\n\n",           /* Empty record. */
        "SKIFFDB -2 44d88f0c\n{}\n",
        "SKIFFDB  2 44d88f0c\n{}\n",
        "SKIFFDB 1073741825 00000000\n",    /* Longer than 1 GiB. */
        "SKIFFDB 99999999999 00000000\n",
        "skiffdb 2 44d88f0c\n{}\n",
        "\n",
        "{}\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        check_refused(files[i], strlen(files[i]), DB_LOG_CREATE);
        check_refused(files[i], strlen(files[i]), DB_LOG_READ_ONLY);
    }

    /* Binary garbage, NULs included. */
    char garbage[300];
    for (size_t i = 0; i < sizeof garbage; i++) {
        garbage[i] = (char) (i * 7);
    }
    check_refused(garbage, sizeof garbage, DB_LOG_READ_WRITE);
    assert_logged("\\x00\\x07\\x0e");
}

/* ---- Damage. ---- */

/* A file cut short anywhere in its last record: the records before it are
 * all read, the tail is cut, and a new record follows the good ones. */
static void
test_torn_tail(void **state)
{
    char *path = tmp_file("db");
    off_t ends[3];
    make_db(path, 3, ends);
    size_t size;
    char *content = slurp(path, &size);
    assert_int_equal(size, ends[2]);

    for (size_t len = ends[1]; len < size; len++) {
        spew(path, content, len);
        clear_log();

        struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
        expect_records(log, 2);
        assert_int_equal(db_log_get_offset(log), ends[1]);
        assert_int_equal(file_size(path), ends[1]);
        if (len > (size_t) ends[1]) {
            char *msg = xasprintf("%s: incomplete record header at offset "
                                  "%lld", path, (long long int) ends[1]);
            char *msg2 = xasprintf("%s: record runs past the end of the "
                                   "file at offset %lld", path,
                                   (long long int) ends[1]);
            size_t n;
            char *logged = slurp(log_name, &n);
            if (!strstr(logged, msg) && !strstr(logged, msg2)) {
                fail_msg("len %zu: no warning in the log:\n%s", len,
                         logged);
            }
            free(logged);
            free(msg);
            free(msg2);
        }
        write_record(log, make_record(99));
        assert_int_equal(db_log_commit(log), 0);
        db_log_close(log);

        log = open_log(path, DB_LOG_READ_ONLY);
        expect_record(log, make_record(0));
        expect_record(log, make_record(1));
        expect_record(log, make_record(99));
        expect_end(log);
        db_log_close(log);
    }
    free(content);
    free(path);
}

/* A file cut short in its first record is a torn first write, not a
 * foreign file: it reads as empty. */
static void
test_torn_first_record(void **state)
{
    char *path = tmp_file("db");
    off_t ends[1];
    make_db(path, 1, ends);
    size_t size;
    char *content = slurp(path, &size);

    for (size_t len = 1; len < size; len++) {
        spew(path, content, len);
        struct db_log *log = open_log(path, DB_LOG_CREATE);
        expect_end(log);
        assert_int_equal(file_size(path), 0);
        write_record(log, make_record(5));
        assert_int_equal(db_log_commit(log), 0);
        db_log_close(log);

        log = open_log(path, DB_LOG_READ_ONLY);
        expect_record(log, make_record(5));
        expect_end(log);
        db_log_close(log);
    }
    free(content);
    free(path);
}

/* Returns a record whose JSON is TEXT, with a correct header. */
static char *
craft_record(const char *text)
{
    return xasprintf("SKIFFDB %zu %08x\n%s\n", strlen(text),
                     (unsigned int) crc32c(0, text, strlen(text)), text);
}

/* Writes a file of two good records followed by the damaged record BAD
 * (BAD_LEN bytes) and checks that opening for writing cuts the file from
 * BAD on with a warning that says WHY; then the same with a good record
 * after BAD, which must be refused instead (EBADMSG), changing nothing. */
static void
check_cut(const char *bad, size_t bad_len, const char *why)
{
    char *path = tmp_file("db");
    off_t ends[2];
    make_db(path, 2, ends);

    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n;
    char *good = slurp(path, &n);
    ds_put_buffer(&s, good, n);
    ds_put_buffer(&s, bad, bad_len);
    spew(path, s.string, s.length);
    clear_log();

    /* Read-only: the same records, and the file stays as it is. */
    struct db_log *log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 2);
    db_log_close(log);
    assert_int_equal(file_size(path), s.length);

    log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 2);
    assert_int_equal(file_size(path), ends[1]);
    char *a = xasprintf("|db_log|WARN|%s: %s", path, why);
    char *b = xasprintf(" at offset %lld; truncating the file there",
                        (long long int) ends[1]);
    assert_logged_line(a, b);
    free(a);
    free(b);
    write_record(log, make_record(7));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_ONLY);
    expect_record(log, make_record(0));
    expect_record(log, make_record(1));
    expect_record(log, make_record(7));
    expect_end(log);
    db_log_close(log);

    /* Damage with an intact record after it is not a torn write. */
    ds_put_buffer(&s, good, (size_t) ends[0]);
    spew(path, s.string, s.length);
    clear_log();
    for (int mode = DB_LOG_READ_ONLY; mode <= DB_LOG_READ_WRITE; mode++) {
        struct json_object *record = (struct json_object *) 1;
        log = open_log(path, mode);
        expect_record(log, make_record(0));
        expect_record(log, make_record(1));
        assert_int_equal(db_log_read(log, &record), EBADMSG);
        assert_null(record);
        db_log_close(log);
        assert_int_equal(file_size(path), s.length);
    }
    assert_logged("an intact record follows");

    ds_destroy(&s);
    free(good);
    unlink(path);
    free(path);
}

static void
check_cut_str(const char *bad, const char *why)
{
    check_cut(bad, strlen(bad), why);
}

static void
check_cut_crafted(const char *text, const char *why)
{
    char *bad = craft_record(text);
    check_cut_str(bad, why);
    free(bad);
}

static void
test_bad_checksum(void **state)
{
    char *bad = craft_record("{\"x\":1}");
    char *crc = strchr(bad + 8, ' ') + 1;
    *crc = *crc == '0' ? '1' : '0';
    check_cut_str(bad, "bad checksum");

    /* A flipped bit in the JSON. */
    free(bad);
    bad = craft_record("{\"x\":1}");
    strchr(bad, 'x')[0] = 'y';
    check_cut_str(bad, "bad checksum");
    free(bad);
}

static void
test_bad_length(void **state)
{
    char *text = "{\"x\":12345}";
    unsigned int crc = crc32c(0, text, strlen(text));
    char *bad = xasprintf("SKIFFDB 10 %08x\n%s\n", crc, text);
    check_cut_str(bad, "no new-line after record");
    free(bad);
    bad = xasprintf("SKIFFDB 9 %08x\n%s\n", crc, text);
    check_cut_str(bad, "no new-line after record");
    free(bad);

    /* A length that runs past the end of the file. */
    bad = xasprintf("SKIFFDB 100000 %08x\n%s\n", crc, text);
    check_cut_str(bad, "record runs past the end of the file");
    free(bad);
    bad = xasprintf("SKIFFDB 1073741824 %08x\n%s\n", crc, text);
    check_cut_str(bad, "record runs past the end of the file");
    free(bad);

    /* Lengths the header does not allow. */
    bad = xasprintf("SKIFFDB 1073741825 %08x\n%s\n", crc, text);
    check_cut_str(bad, "bad record header");
    free(bad);
    bad = xasprintf("SKIFFDB 011 %08x\n%s\n", crc, text);
    check_cut_str(bad, "bad record header");
    free(bad);
}

static void
test_bad_json(void **state)
{
    check_cut_crafted("{\"x\":}", "bad JSON");
    check_cut_crafted("{\"x\":1", "bad JSON");
    check_cut_crafted("{}{}", "bad JSON");
    check_cut_crafted("[1,]", "bad JSON");
    check_cut_crafted("'x'", "bad JSON");
    check_cut_crafted("null", "null record");

    /* A NUL inside the JSON, with a correct checksum. */
    const char text[] = "{\"a\0\":1}";
    size_t len = sizeof text - 1;
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "SKIFFDB %zu %08x\n", len,
                  (unsigned int) crc32c(0, text, len));
    ds_put_buffer(&s, text, len);
    ds_put_char(&s, '\n');
    check_cut(s.string, s.length, "bad JSON");
    ds_destroy(&s);

    /* Nested deeper than a record may be. */
    struct ds deep = DS_EMPTY_INITIALIZER;
    ds_put_char_multiple(&deep, '[', 200);
    ds_put_char_multiple(&deep, ']', 200);
    check_cut_crafted(ds_cstr(&deep), "bad JSON");
    ds_destroy(&deep);
}

static void
test_bad_header(void **state)
{
    check_cut_str("garbage\n", "bad record header");
    check_cut_str("SKIFFDB 5 0000000g\n12345\n", "bad record header");
    check_cut("\0\0\0\0\0\0\0\0", 8, "bad record header");
}

/* A record without its final new-line. */
static void
test_missing_newline(void **state)
{
    char *bad = craft_record("{\"x\":1}");
    bad[strlen(bad) - 1] = ' ';
    check_cut_str(bad, "no new-line after record");
    free(bad);
}

/* Damage right at the start of a good file's second record, with more
 * good records after it: everything from there on goes. */
static void
test_damage_mid_file(void **state)
{
    char *path = tmp_file("db");
    off_t ends[5];
    make_db(path, 5, ends);
    size_t n;
    char *content = slurp(path, &n);
    content[ends[0] + 12] ^= 0x20;
    spew(path, content, n);

    /* Records 2 to 4 are intact: the damage is not a torn write, and
     * cutting the file there would lose them. */
    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    struct json_object *record;
    expect_record(log, make_record(0));
    assert_int_equal(db_log_read(log, &record), EBADMSG);
    assert_int_equal(file_size(path), n);
    db_log_close(log);
    free(content);
    free(path);
}

static void
test_read_only_never_truncates(void **state)
{
    char *path = tmp_file("db");
    off_t ends[3];
    make_db(path, 3, ends);
    assert_int_equal(truncate(path, ends[2] - 3), 0);
    clear_log();

    struct db_log *log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 2);
    assert_int_equal(file_size(path), ends[2] - 3);
    char *msg = xasprintf("%s: record runs past the end of the file at "
                          "offset %lld; ignoring the rest", path,
                          (long long int) ends[1]);
    assert_logged(msg);
    free(msg);

    struct json_object *obj = make_record(3);
    assert_int_equal(db_log_write(log, obj), EBADF);
    json_object_put(obj);
    assert_int_equal(db_log_commit(log), EBADF);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), EBADF);
    assert_null(new);
    db_log_close(log);
    assert_int_equal(file_size(path), ends[2] - 3);
    free(path);
}

/* ---- Writing errors. ---- */

static void
test_write_errors(void **state)
{
    char *path = tmp_file("db");
    make_db(path, 2, NULL);
    off_t size = file_size(path);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    struct json_object *obj = make_record(9);
    /* Not before reading has reached the end. */
    assert_int_equal(db_log_write(log, obj), EINVAL);
    expect_record(log, make_record(0));
    assert_int_equal(db_log_write(log, obj), EINVAL);
    expect_record(log, make_record(1));
    assert_int_equal(db_log_write(log, obj), EINVAL);
    expect_end(log);

    /* Not a null record. */
    assert_int_equal(db_log_write(log, NULL), EINVAL);

    /* Not a record that would not read back. */
    struct json_object *deep = json_object_new_array();
    struct json_object *inner = deep;
    for (int i = 0; i < 200; i++) {
        struct json_object *a = json_object_new_array();
        json_object_array_add(inner, a);
        inner = a;
    }
    assert_int_equal(db_log_write(log, deep), EINVAL);
    assert_logged("record would not read back");
    json_object_put(deep);
    assert_int_equal(db_log_get_n_records(log), 2);
    assert_int_equal(db_log_get_offset(log), size);
    assert_int_equal(file_size(path), size);

    /* The log still works. */
    assert_int_equal(db_log_write(log, obj), 0);
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
    json_object_put(obj);

    log = open_log(path, DB_LOG_READ_ONLY);
    expect_record(log, make_record(0));
    expect_record(log, make_record(1));
    expect_record(log, make_record(9));
    expect_end(log);
    db_log_close(log);
    free(path);
}

/* A write that fails part way leaves nothing of its record behind. */
static void
test_partial_write(void **state)
{
    char *path = tmp_file("db");
    make_db(path, 20, NULL);
    off_t size = file_size(path);
    clear_log();

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 20);

    /* A file size limit (above the size of vlog's file) makes the write
     * stop part way with EFBIG. */
    struct rlimit old, limit;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    limit = old;
    limit.rlim_cur = (rlim_t) size + 10;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    struct json_object *obj = make_record(4);
    int error = db_log_write(log, obj);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(error, EFBIG);
    assert_logged("write failed at offset");
    assert_int_equal(file_size(path), size);
    assert_int_equal(db_log_get_offset(log), size);
    assert_int_equal(db_log_get_n_records(log), 20);

    /* The next write goes where the failed one would have gone. */
    assert_int_equal(db_log_write(log, obj), 0);
    assert_int_equal(db_log_commit(log), 0);
    json_object_put(obj);
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_ONLY);
    for (int i = 0; i < 20; i++) {
        expect_record(log, make_record(i));
    }
    expect_record(log, make_record(4));
    expect_end(log);
    db_log_close(log);
    free(path);
}

/* ---- Locking. ---- */

static void
test_lock(void **state)
{
    char *path = tmp_file("db");
    make_db(path, 1, NULL);
    clear_log();

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    assert_int_equal(in_child(child_open_rw, path), EAGAIN);
    char *msg = xasprintf("|db_log|ERR|%s: database is locked by another "
                          "process (pid %ld)", path, (long int) getpid());
    assert_logged(msg);
    free(msg);
    /* Reading needs no lock. */
    assert_int_equal(in_child(child_open_ro, path), 0);
    db_log_close(log);

    /* Once the lock is gone, another process may write. */
    assert_int_equal(in_child(child_open_rw, path), 0);

    /* DB_LOG_CREATE locks too. */
    log = open_log(path, DB_LOG_CREATE);
    assert_int_equal(in_child(child_open_rw, path), EAGAIN);
    db_log_close(log);
    free(path);
}

/* One process may not open a file it writes again: fcntl() locks belong to
 * the process, so the second open would not be refused by the lock and
 * closing it would drop the lock. */
static void
test_open_twice_in_process(void **state)
{
    char *path = tmp_file("db");
    make_db(path, 1, NULL);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    struct db_log *log2;
    assert_int_equal(db_log_open(path, DB_LOG_READ_WRITE, &log2), EAGAIN);
    assert_null(log2);
    assert_int_equal(db_log_open(path, DB_LOG_READ_ONLY, &log2), EAGAIN);
    assert_int_equal(db_log_open(path, DB_LOG_CREATE, &log2), EAGAIN);
    assert_logged("database is already open in this process");

    /* The lock is still held. */
    assert_int_equal(in_child(child_open_rw, path), EAGAIN);
    db_log_close(log);

    /* Several read-only logs are fine, but no writer beside them. */
    log = open_log(path, DB_LOG_READ_ONLY);
    log2 = open_log(path, DB_LOG_READ_ONLY);
    struct db_log *log3;
    assert_int_equal(db_log_open(path, DB_LOG_READ_WRITE, &log3), EAGAIN);
    expect_records(log, 1);
    expect_records(log2, 1);
    db_log_close(log);
    db_log_close(log2);

    log = open_log(path, DB_LOG_READ_WRITE);
    db_log_close(log);
    db_log_close(NULL);
    free(path);
}

/* ---- Compaction. ---- */

static void
test_replace(void **state)
{
    char *path = tmp_file("db");
    char *tmp = xasprintf("%s.tmp", path);
    make_db(path, 5, NULL);
    assert_int_equal(chmod(path, 0600), 0);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 5);

    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    assert_string_equal(db_log_get_name(new), tmp);
    assert_true(exists(tmp));
    expect_end(new);
    write_record(new, make_record(0));
    write_record(new, make_record(1));
    assert_int_equal(db_log_replace_commit(log, new), 0);

    assert_false(exists(tmp));
    assert_string_equal(db_log_get_name(log), path);
    assert_int_equal(db_log_get_n_records(log), 2);
    assert_int_equal(db_log_get_offset(log), file_size(path));
    struct stat s;
    assert_int_equal(stat(path, &s), 0);
    assert_int_equal(s.st_mode & 07777, 0600);

    /* The new file is locked. */
    assert_int_equal(in_child(child_open_rw, path), EAGAIN);

    /* Further writes go to the new file. */
    expect_end(log);
    write_record(log, make_record(2));
    assert_int_equal(db_log_commit(log), 0);
    assert_int_equal(db_log_get_n_records(log), 3);
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 3);
    db_log_close(log);

    /* Compacting twice in a row works too, even to an empty file. */
    log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 3);
    assert_int_equal(db_log_replace_start(log, &new), 0);
    assert_int_equal(db_log_replace_commit(log, new), 0);
    assert_int_equal(db_log_get_n_records(log), 0);
    assert_int_equal(db_log_replace_start(log, &new), 0);
    write_record(new, make_record(0));
    assert_int_equal(db_log_replace_commit(log, new), 0);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 1);
    db_log_close(log);

    free(tmp);
    free(path);
}

static void
test_replace_abort(void **state)
{
    char *path = tmp_file("db");
    char *tmp = xasprintf("%s.tmp", path);
    make_db(path, 4, NULL);
    size_t n;
    char *before = slurp(path, &n);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 4);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    write_record(new, make_record(0));
    assert_int_equal(db_log_commit(new), 0);
    db_log_replace_abort(new);
    db_log_replace_abort(NULL);
    assert_false(exists(tmp));

    size_t n2;
    char *after = slurp(path, &n2);
    assert_int_equal(n, n2);
    assert_memory_equal(before, after, n);
    free(after);

    /* The log goes on as before. */
    assert_int_equal(db_log_get_n_records(log), 4);
    write_record(log, make_record(4));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 5);
    db_log_close(log);

    free(before);
    free(tmp);
    free(path);
}

/* A crash during compaction leaves a .tmp file beside the database: the
 * database is read as it was, and the next compaction starts afresh. */
static void
test_leftover_tmp(void **state)
{
    char *path = tmp_file("db");
    char *tmp = xasprintf("%s.tmp", path);
    make_db(path, 3, NULL);
    make_db(tmp, 1, NULL);
    assert_int_equal(truncate(tmp, file_size(tmp) - 2), 0);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 3);
    assert_true(exists(tmp));

    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    assert_int_equal(file_size(tmp), 0);
    write_record(new, make_record(0));
    assert_int_equal(db_log_replace_commit(log, new), 0);
    assert_false(exists(tmp));
    db_log_close(log);

    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 1);
    db_log_close(log);

    /* A leftover that is a complete database is ignored just the same. */
    make_db(tmp, 7, NULL);
    log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 1);
    db_log_close(log);

    free(tmp);
    free(path);
}

static void
test_replace_errors(void **state)
{
    char *path = tmp_file("db");
    char *tmp = xasprintf("%s.tmp", path);
    make_db(path, 3, NULL);
    size_t n;
    char *before = slurp(path, &n);

    /* Not before reading has reached the end. */
    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), EINVAL);
    assert_null(new);
    expect_records(log, 3);

    /* Something in the way of the new file. */
    assert_int_equal(mkdir(tmp, 0755), 0);
    assert_int_not_equal(db_log_replace_start(log, &new), 0);
    assert_null(new);
    char *msg = xasprintf("%s: cannot remove", tmp);
    assert_logged(msg);
    free(msg);
    assert_int_equal(rmdir(tmp), 0);

    /* The new file disappears before the rename. */
    assert_int_equal(db_log_replace_start(log, &new), 0);
    write_record(new, make_record(0));
    assert_int_equal(unlink(tmp), 0);
    assert_int_equal(db_log_replace_commit(log, new), ENOENT);
    assert_logged("cannot rename");

    /* A replacement made for another log. */
    char *path2 = tmp_file("db2");
    make_db(path2, 1, NULL);
    struct db_log *log2 = open_log(path2, DB_LOG_READ_WRITE);
    expect_records(log2, 1);
    assert_int_equal(db_log_replace_start(log2, &new), 0);
    assert_int_equal(db_log_replace_commit(log, new), EINVAL);
    char *tmp2 = xasprintf("%s.tmp", path2);
    assert_false(exists(tmp2));
    free(tmp2);
    db_log_close(log2);
    free(path2);
    path2 = NULL;

    /* One replacement at a time, and none of a replacement. */
    struct db_log *new2;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    assert_int_equal(db_log_replace_start(log, &new2), EBUSY);
    assert_null(new2);
    assert_int_equal(db_log_replace_start(new, &new2), EINVAL);
    assert_null(new2);
    db_log_replace_abort(new);
    assert_false(exists(tmp));

    /* A log that is not a replacement is closed, but its file stays. */
    path2 = tmp_file("db3");
    make_db(path2, 1, NULL);
    log2 = open_log(path2, DB_LOG_READ_ONLY);
    assert_int_equal(db_log_replace_commit(log, log2), EINVAL);
    assert_logged("not a replacement");
    assert_true(exists(path2));
    log2 = open_log(path2, DB_LOG_READ_ONLY);
    db_log_replace_abort(log2);
    assert_true(exists(path2));
    free(path2);

    /* After all that, the old file is untouched and still works. */
    size_t n2;
    char *after = slurp(path, &n2);
    assert_int_equal(n, n2);
    assert_memory_equal(before, after, n);
    free(after);
    write_record(log, make_record(3));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 4);
    db_log_close(log);

    free(before);
    free(tmp);
    free(path);
}

/* A replacement outlives the log it was to replace; aborting it still
 * removes its file. */
static void
test_replace_orphan(void **state)
{
    char *path = tmp_file("db");
    char *tmp = xasprintf("%s.tmp", path);
    make_db(path, 2, NULL);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 2);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    db_log_close(log);
    assert_true(exists(tmp));
    db_log_replace_abort(new);
    assert_false(exists(tmp));

    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 2);
    db_log_close(log);
    free(tmp);
    free(path);
}

/* A database named relative to the current directory. */
static void
test_relative_name(void **state)
{
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    assert_int_equal(chdir(tmp_dir), 0);

    make_db("db", 2, NULL);
    struct db_log *log = open_log("db", DB_LOG_READ_WRITE);
    expect_records(log, 2);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), 0);
    assert_string_equal(db_log_get_name(new), "db.tmp");
    write_record(new, make_record(0));
    assert_int_equal(db_log_replace_commit(log, new), 0);
    assert_false(exists("db.tmp"));
    db_log_close(log);

    log = open_log("db", DB_LOG_READ_ONLY);
    expect_records(log, 1);
    db_log_close(log);

    assert_int_equal(chdir(cwd), 0);
    free(cwd);
}

/* A database whose name is too long to take ".tmp". */
static void
test_replace_name_too_long(void **state)
{
    char name[254];
    memset(name, 'd', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char *path = tmp_file(name);
    make_db(path, 1, NULL);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 1);
    struct db_log *new;
    assert_int_equal(db_log_replace_start(log, &new), ENAMETOOLONG);
    assert_null(new);
    write_record(log, make_record(1));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 2);
    db_log_close(log);
    free(path);
}

/* A directory where the new file cannot be created. */
static void
test_replace_unwritable_dir(void **state)
{
    /* The new file cannot be made: a directory with something in it
     * stands where it would go (this holds for root too). */
    char *path = tmp_file("blocked.db");
    make_db(path, 2, NULL);
    char *tmp = xasprintf("%s.tmp", path);
    char *inner = xasprintf("%s/keep", tmp);
    assert_int_equal(mkdir(tmp, 0755), 0);
    FILE *f = fopen(inner, "w");
    assert_non_null(f);
    fclose(f);

    struct db_log *log = open_log(path, DB_LOG_READ_WRITE);
    expect_records(log, 2);
    struct db_log *new = (struct db_log *) 1;
    assert_int_not_equal(db_log_replace_start(log, &new), 0);
    assert_null(new);
    assert_logged("cannot");

    /* The old file is untouched and still takes writes. */
    write_record(log, make_record(2));
    assert_int_equal(db_log_commit(log), 0);
    db_log_close(log);
    log = open_log(path, DB_LOG_READ_ONLY);
    expect_records(log, 3);
    db_log_close(log);
    assert_int_equal(unlink(inner), 0);
    assert_int_equal(rmdir(tmp), 0);
    free(inner);
    free(tmp);
    free(path);
}

/* ---- Fixtures. ---- */

static int
setup(void **state)
{
    tmp_dir = unit_mkdtemp();
    log_name = tmp_file("test.log");
    assert_int_equal(vlog_set_log_file(log_name), 0);

    /* Everything goes to the log file; nothing to the console. */
    struct vlog_module *module = vlog_module_from_name("db_log");
    assert_non_null(module);
    vlog_set_levels(module, VLF_FILE, VLL_DBG);
    vlog_set_levels(module, VLF_CONSOLE, VLL_OFF);
    return 0;
}

static int
teardown(void **state)
{
    vlog_close_log_file();
    unit_rmdir_r(tmp_dir);
    free(tmp_dir);
    free(log_name);
    return 0;
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_crc32c),
        TEST(test_round_trip),
        TEST(test_format),
        TEST(test_large_records),
        TEST(test_append_after_reopen),
        TEST(test_create_empty),
        TEST(test_enoent),
        TEST(test_not_a_file),
        TEST(test_not_skiff),
        TEST(test_torn_tail),
        TEST(test_torn_first_record),
        TEST(test_bad_checksum),
        TEST(test_bad_length),
        TEST(test_bad_json),
        TEST(test_bad_header),
        TEST(test_missing_newline),
        TEST(test_damage_mid_file),
        TEST(test_read_only_never_truncates),
        TEST(test_write_errors),
        TEST(test_partial_write),
        TEST(test_lock),
        TEST(test_open_twice_in_process),
        TEST(test_replace),
        TEST(test_replace_abort),
        TEST(test_leftover_tmp),
        TEST(test_replace_errors),
        TEST(test_replace_orphan),
        TEST(test_relative_name),
        TEST(test_replace_name_too_long),
        TEST(test_replace_unwritable_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
