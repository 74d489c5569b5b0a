/* db-log: the database's durable, append-only file. */
#include <config.h>

#include "db-log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynamic-string.h"
#include "list.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_log);

/*
 * Reading uses pread() into a buffer of our own that holds the file's bytes
 * from the end of the last good record on; writing uses pwrite() at that
 * same offset.  Neither uses the file position, so a write after reading
 * starts exactly at the end of the last good record.
 */

/* Limits on what a record may be: its length in bytes (so that a bad
 * header cannot make us allocate absurdly) and how deeply its JSON may
 * nest. */
#define MAX_RECORD_LENGTH (1 << 30)
#define MAX_RECORD_DEPTH 128

#define MAGIC "SKIFFDB "
#define MAGIC_LEN (sizeof MAGIC - 1)
#define MAX_LENGTH_DIGITS 10    /* Digits of MAX_RECORD_LENGTH. */
#define HEADER_MAX (MAGIC_LEN + MAX_LENGTH_DIGITS + 1 + 8 + 1)

#define READ_CHUNK (64 * 1024)  /* Bytes read at a time, at least. */
#define MAX_OPEN_TRIES 10       /* Retries when a file is replaced under
                                 * us while we open it. */
#define NEW_FILE_MODE 0640      /* For a database file db_log creates. */

struct db_log {
    struct list node;           /* In 'open_logs'. */
    pid_t pid;                  /* The process that opened it. */
    char *name;
    int fd;
    bool writable;              /* Opened for writing, and locked. */
    dev_t dev;                  /* The file's identity, for 'open_logs'. */
    ino_t ino;

    /* Reading. */
    bool at_end;                /* Reached the end of the good records. */
    bool not_skiff;             /* Refused: not a Skiff database. */
    char *buf;                  /* File bytes from 'offset' on are at */
    size_t buf_start;           /* buf[buf_start] up to buf[buf_len]. */
    size_t buf_len;
    size_t buf_size;

    off_t offset;               /* End of the last good or written record. */
    unsigned long long n_records;

    /* Writing. */
    bool dirty;                 /* Written since the last fsync. */
    bool sync_dir;              /* The file's name needs a directory sync. */
    int write_error;            /* Sticky: the log refuses to go on. */

    /* Compaction. */
    bool is_replacement;        /* Made by db_log_replace_start(). */
    struct db_log *replaces;    /* If so, the log it is to replace (NULL
                                 * once that log is closed). */
    struct db_log *replacement; /* The replacement under way, if any. */
};

/* Every open log.  fcntl() locks belong to a process, not to a file
 * descriptor, and closing any descriptor of a file drops them all; this
 * list is what keeps one process from opening a file it writes a second
 * time.  A child process inherits the list but not the locks, so only the
 * logs that this process opened count. */
static struct list open_logs = LIST_INITIALIZER(&open_logs);
static pthread_mutex_t open_logs_mutex = PTHREAD_MUTEX_INITIALIZER;

/* ---- CRC-32C. ---- */

static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void
crc32c_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        crc32c_table[i] = crc;
    }
}

uint32_t
crc32c(uint32_t crc, const void *data_, size_t n)
{
    const uint8_t *data = data_;

    pthread_once(&crc32c_once, crc32c_init);
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc = crc32c_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

/* ---- The list of open logs. ---- */

static bool
same_file(const struct db_log *log, dev_t dev, ino_t ino)
{
    return log->dev == dev && log->ino == ino;
}

/* Returns the log of this process that conflicts with opening the file
 * DEV/INO (WRITABLE or not), if any.  Two logs on one file conflict unless
 * both are read-only.  The caller holds 'open_logs_mutex'. */
static const struct db_log *
find_conflict(dev_t dev, ino_t ino, bool writable)
{
    struct db_log *log;
    LIST_FOR_EACH (log, node, &open_logs) {
        if (same_file(log, dev, ino) && (writable || log->writable)
            && log->pid == getpid()) {
            return log;
        }
    }
    return NULL;
}

/* Adds LOG to 'open_logs' unless it conflicts with a log already there.
 * Returns 0 or EAGAIN (logged). */
static int
register_log(struct db_log *log)
{
    pthread_mutex_lock(&open_logs_mutex);
    const struct db_log *other = find_conflict(log->dev, log->ino,
                                               log->writable);
    if (!other) {
        list_push_back(&open_logs, &log->node);
    }
    pthread_mutex_unlock(&open_logs_mutex);

    if (other) {
        VLOG_ERR("%s: database is already open in this process (as %s)",
                 log->name, other->name);
        return EAGAIN;
    }
    return 0;
}

static void
unregister_log(struct db_log *log)
{
    pthread_mutex_lock(&open_logs_mutex);
    list_remove(&log->node);
    pthread_mutex_unlock(&open_logs_mutex);
}

/* Checks, before opening PATH, that this process has no log open on it
 * that would conflict.  Returns 0 or EAGAIN (logged).  (Opening and then
 * closing a second descriptor would drop this process's lock.) */
static int
check_not_open_here(const char *path, bool writable)
{
    struct stat s;
    if (stat(path, &s) < 0) {
        return 0;
    }
    pthread_mutex_lock(&open_logs_mutex);
    const struct db_log *other = find_conflict(s.st_dev, s.st_ino, writable);
    char *other_name = other ? xstrdup(other->name) : NULL;
    pthread_mutex_unlock(&open_logs_mutex);

    if (other_name) {
        VLOG_ERR("%s: database is already open in this process (as %s)",
                 path, other_name);
        free(other_name);
        return EAGAIN;
    }
    return 0;
}

/* ---- Files, locks and directories. ---- */

/* Takes an exclusive lock on NAME's descriptor FD.  Returns 0, EAGAIN
 * (logged with the holder's pid), ESTALE if the holder let go meanwhile
 * (try again), or another positive errno value (logged). */
static int
lock_file(int fd, const char *name)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (!fcntl(fd, F_SETLK, &lk)) {
        return 0;
    }
    int error = errno;
    if (error != EAGAIN && error != EACCES) {
        VLOG_ERR("%s: cannot lock: %s", name, strerror(error));
        return error;
    }

    struct flock holder = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_GETLK, &holder) < 0) {
        VLOG_ERR("%s: database is locked by another process", name);
    } else if (holder.l_type == F_UNLCK) {
        return ESTALE;
    } else {
        VLOG_ERR("%s: database is locked by another process (pid %ld)",
                 name, (long int) holder.l_pid);
    }
    return EAGAIN;
}

/* Returns the directory part of PATH, which the caller frees. */
static char *
dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return (!slash ? xstrdup(".")
            : slash == path ? xstrdup("/")
            : xstrndup(path, (size_t) (slash - path)));
}

/* Makes the directory entries in the directory of PATH durable.  Returns 0
 * or a positive errno value (logged). */
static int
fsync_dir(const char *path)
{
    char *dir = dir_name(path);
    int error = 0;

    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = errno;
        goto out_free;
    }
    /* EINVAL: a file system that cannot sync a directory; nothing more
     * can be done there. */
    if (fsync(fd) < 0 && errno != EINVAL) {
        error = errno;
    }
    close(fd);

out_free:
    if (error) {
        VLOG_ERR("%s: cannot sync directory: %s", dir, strerror(error));
    }
    free(dir);
    return error;
}

/* Writes all N bytes of DATA at OFFSET in FD.  Returns 0 or a positive
 * errno value. */
static int
pwrite_fully(int fd, const char *data, size_t n, off_t offset)
{
    while (n > 0) {
        ssize_t r = pwrite(fd, data, n, offset);
        if (r > 0) {
            data += r;
            n -= (size_t) r;
            offset += r;
        } else if (!r) {
            return EIO;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

/* ---- Opening and closing. ---- */

/* Opens PATH for MODE, creating it if MODE says so, and sets *CREATEDP.
 * Returns 0 and *FDP, ESTALE to try again, or a positive errno value. */
static int
open_file(const char *path, enum db_log_mode mode, int *fdp,
          bool *createdp)
{
    int flags = (mode == DB_LOG_READ_ONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    int fd = open(path, flags);

    *createdp = false;
    if (fd < 0 && errno == ENOENT && mode == DB_LOG_CREATE) {
        fd = open(path, flags | O_CREAT | O_EXCL, NEW_FILE_MODE);
        if (fd < 0 && errno == EEXIST) {
            return ESTALE;          /* Made meanwhile: open that one. */
        }
        *createdp = fd >= 0;
    }
    if (fd < 0) {
        return errno;
    }
    *fdp = fd;
    return 0;
}

/* Checks that FD, opened from PATH, is a regular file and, for a writable
 * log, still the file that PATH names (another process may have replaced
 * it before we locked it).  Sets *STATP to FD's status.  Returns 0, ESTALE
 * to try again, or a positive errno value. */
static int
check_file(int fd, const char *path, bool writable, struct stat *statp)
{
    if (fstat(fd, statp) < 0) {
        return errno;
    }
    if (!S_ISREG(statp->st_mode)) {
        VLOG_ERR("%s: not a regular file", path);
        return EINVAL;
    }

    struct stat now;
    if (writable && (stat(path, &now) < 0
                     || now.st_dev != statp->st_dev
                     || now.st_ino != statp->st_ino)) {
        return ESTALE;
    }
    return 0;
}

static struct db_log *
log_create(const char *name, int fd, bool writable, const struct stat *s)
{
    struct db_log *log = xzalloc(sizeof *log);
    log->pid = getpid();
    log->name = xstrdup(name);
    log->fd = fd;
    log->writable = writable;
    log->dev = s->st_dev;
    log->ino = s->st_ino;
    return log;
}

/* One attempt at db_log_open().  Returns ESTALE for another attempt. */
static int
try_open(const char *path, enum db_log_mode mode, struct db_log **logp)
{
    bool writable = mode != DB_LOG_READ_ONLY;
    int error = check_not_open_here(path, writable);
    if (error) {
        return error;
    }

    int fd = -1;
    bool created;
    error = open_file(path, mode, &fd, &created);
    if (error) {
        return error;
    }
    if (writable) {
        error = lock_file(fd, path);
        if (error) {
            goto out_close;
        }
    }
    struct stat s;
    error = check_file(fd, path, writable, &s);
    if (error) {
        goto out_close;
    }

    struct db_log *log = log_create(path, fd, writable, &s);
    log->sync_dir = created;
    error = register_log(log);
    if (error) {
        /* Only a race between threads gets here, and closing FD drops the
         * other log's lock; check_not_open_here() is what prevents it. */
        free(log->name);
        free(log);
        goto out_close;
    }
    *logp = log;
    return 0;

out_close:
    close(fd);
    return error;
}

int
db_log_open(const char *path, enum db_log_mode mode, struct db_log **logp)
{
    int error;

    *logp = NULL;
    for (int i = 0; i < MAX_OPEN_TRIES; i++) {
        error = try_open(path, mode, logp);
        if (error != ESTALE) {
            break;
        }
    }
    return error;
}

static void
release_buffer(struct db_log *log)
{
    free(log->buf);
    log->buf = NULL;
    log->buf_start = log->buf_len = log->buf_size = 0;
}

void
db_log_close(struct db_log *log)
{
    if (log) {
        unregister_log(log);
        if (log->replacement) {
            log->replacement->replaces = NULL;
        }
        if (log->replaces) {
            log->replaces->replacement = NULL;
        }
        if (log->fd >= 0) {
            close(log->fd);
        }
        release_buffer(log);
        free(log->name);
        free(log);
    }
}

const char *
db_log_get_name(const struct db_log *log)
{
    return log->name;
}

off_t
db_log_get_offset(const struct db_log *log)
{
    return log->offset;
}

unsigned long long
db_log_get_n_records(const struct db_log *log)
{
    return log->n_records;
}

/* ---- Reading. ---- */

/* Makes at least N bytes from LOG's offset on available in its buffer, or
 * as many as the file holds, and sets *AVAILP to how many are.  Returns 0
 * or a positive errno value. */
static int
fill_buffer(struct db_log *log, size_t n, size_t *availp)
{
    size_t avail = log->buf_len - log->buf_start;
    if (avail < n) {
        if (log->buf_start) {
            memmove(log->buf, log->buf + log->buf_start, avail);
        }
        log->buf_start = 0;
        log->buf_len = avail;
        if (log->buf_size < MAX(n, READ_CHUNK)) {
            log->buf_size = MAX(n, READ_CHUNK);
            log->buf = xrealloc(log->buf, log->buf_size);
        }
        while (log->buf_len < n) {
            ssize_t r = pread(log->fd, log->buf + log->buf_len,
                              log->buf_size - log->buf_len,
                              log->offset + (off_t) log->buf_len);
            if (r > 0) {
                log->buf_len += (size_t) r;
            } else if (!r) {
                break;
            } else if (errno != EINTR) {
                return errno;
            }
        }
        avail = log->buf_len;
    }
    *availp = avail;
    return 0;
}

enum header_status {
    HEADER_OK,
    HEADER_PARTIAL,             /* Good so far, but ends early. */
    HEADER_BAD,
};

static int
hex_value(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : -1);
}

/* Parses the record header at the start of the N bytes at P: "SKIFFDB ",
 * a length in decimal (no leading zero, 1 to MAX_RECORD_LENGTH), a space,
 * 8 lowercase hex digits and a new-line.  On success sets *HEADER_LENP,
 * *LENGTHP and *CRCP. */
static enum header_status
parse_header(const char *p, size_t n, size_t *header_lenp, size_t *lengthp,
             uint32_t *crcp)
{
    size_t i;
    for (i = 0; i < MAGIC_LEN; i++) {
        if (i >= n) {
            return HEADER_PARTIAL;
        } else if (p[i] != MAGIC[i]) {
            return HEADER_BAD;
        }
    }

    size_t length = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        length = length * 10 + (size_t) (p[i] - '0');
        if (!length || length > MAX_RECORD_LENGTH) {
            return HEADER_BAD;  /* Leading zero, or too long. */
        }
    }
    if (i >= n) {
        return HEADER_PARTIAL;
    } else if (!length || p[i++] != ' ') {
        return HEADER_BAD;
    }

    uint32_t crc = 0;
    for (size_t end = i + 8; i < end; i++) {
        if (i >= n) {
            return HEADER_PARTIAL;
        }
        int value = hex_value(p[i]);
        if (value < 0) {
            return HEADER_BAD;
        }
        crc = (crc << 4) | (uint32_t) value;
    }
    if (i >= n) {
        return HEADER_PARTIAL;
    } else if (p[i++] != '\n') {
        return HEADER_BAD;
    }

    *header_lenp = i;
    *lengthp = length;
    *crcp = crc;
    return HEADER_OK;
}

/* Parses the N bytes at TEXT, a JSON text followed by a new-line (after
 * which json-c knows that a number at the top level has ended).  Returns
 * the value, or NULL and an explanation in *WHYP (the caller frees it). */
static struct json_object *
parse_json(const char *text, size_t n, char **whyp)
{
    struct json_tokener *tok = json_tokener_new_ex(MAX_RECORD_DEPTH);
    if (!tok) {
        skiff_fatal(0, "out of memory");
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);

    struct json_object *obj = json_tokener_parse_ex(tok, text, (int) n);
    enum json_tokener_error error = json_tokener_get_error(tok);
    *whyp = NULL;
    if (error == json_tokener_continue) {
        *whyp = xstrdup("bad JSON (incomplete value)");
    } else if (error != json_tokener_success) {
        *whyp = xasprintf("bad JSON (%s)", json_tokener_error_desc(error));
    } else if (json_tokener_get_parse_end(tok) != n) {
        *whyp = xstrdup("bad JSON (bytes after the value)");
    } else if (!obj) {
        *whyp = xstrdup("null record");
    }
    if (*whyp) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/* Puts the first bytes of the N at P into DS, quoted, for a message. */
static void
put_excerpt(struct ds *ds, const char *p, size_t n)
{
    ds_put_char(ds, '"');
    for (size_t i = 0; i < MIN(n, 16); i++) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            ds_put_char(ds, (char) c);
        } else {
            ds_put_format(ds, "\\x%02x", c);
        }
    }
    ds_put_cstr(ds, n > 16 ? "\"..." : "\"");
}

/* Refuses LOG, whose first bytes (AVAIL of them in its buffer) are not a
 * Skiff record header.  Returns EPROTO. */
static int
refuse_file(struct db_log *log, size_t avail)
{
    struct ds excerpt = DS_EMPTY_INITIALIZER;
    put_excerpt(&excerpt, log->buf + log->buf_start, avail);
    VLOG_ERR("%s: not a Skiff database: it starts with %s, not with a "
             "\"SKIFFDB\" record header", log->name, ds_cstr(&excerpt));
    ds_destroy(&excerpt);
    log->not_skiff = true;
    return EPROTO;
}

/* Makes sure the record of TOTAL bytes at LOG's offset is in its buffer.
 * Returns 0 and sets *WHYP if the file is too short, or a positive errno
 * value.  The file's size is checked first, so that a bad length cannot
 * make the buffer grow past it. */
static int
fill_record(struct db_log *log, size_t total, char **whyp)
{
    size_t avail = log->buf_len - log->buf_start;
    if (avail < total) {
        struct stat s;
        if (fstat(log->fd, &s) < 0) {
            return errno;
        }
        if (s.st_size - log->offset < (off_t) total) {
            *whyp = xstrdup("record runs past the end of the file");
            return 0;
        }
        int error = fill_buffer(log, total, &avail);
        if (error) {
            return error;
        }
        if (avail < total) {
            *whyp = xstrdup("record runs past the end of the file");
        }
    }
    return 0;
}

/* Checks and parses the record whose HEADER_LEN bytes of header give
 * LENGTH and CRC, and which is all in LOG's buffer. */
static struct json_object *
check_record(const struct db_log *log, size_t header_len, size_t length,
             uint32_t crc, char **whyp)
{
    const char *json = log->buf + log->buf_start + header_len;
    if (json[length] != '\n') {
        *whyp = xstrdup("no new-line after record (bad length?)");
        return NULL;
    } else if (crc32c(0, json, length) != crc) {
        *whyp = xstrdup("bad checksum");
        return NULL;
    }
    return parse_json(json, length + 1, whyp);
}

/* Reads the record at LOG's offset.  Returns 0 and sets either *RECORDP
 * (LOG's offset moves past the record), or *WHYP (the caller frees it) if
 * the record is damaged, or neither at a clean end of file.  Otherwise
 * returns a positive errno value, EPROTO (logged) if the file is not a
 * Skiff database. */
static int
read_record(struct db_log *log, struct json_object **recordp, char **whyp)
{
    size_t avail;
    int error = fill_buffer(log, HEADER_MAX, &avail);
    if (error || !avail) {
        return error;
    }

    size_t header_len, length;
    uint32_t crc;
    switch (parse_header(log->buf + log->buf_start, MIN(avail, HEADER_MAX),
                         &header_len, &length, &crc)) {
    case HEADER_OK:
        break;
    case HEADER_PARTIAL:
        *whyp = xstrdup("incomplete record header");
        return 0;
    case HEADER_BAD:
    default:
        if (!log->offset) {
            return refuse_file(log, avail);
        }
        *whyp = xstrdup("bad record header");
        return 0;
    }

    size_t total = header_len + length + 1;
    error = fill_record(log, total, whyp);
    if (!error && !*whyp) {
        *recordp = check_record(log, header_len, length, crc, whyp);
        if (*recordp) {
            log->buf_start += total;
            log->offset += (off_t) total;
            log->n_records++;
        }
    }
    return error;
}

/* Looks in the REST bytes after LOG's offset (skipping the first) for an
 * intact record: a good header whose JSON's checksum matches.  Returns its
 * offset, or -1 if there is none. */
static off_t
find_intact_record(const struct db_log *log, off_t rest)
{
    size_t n = (size_t) MIN(rest, (off_t) MAX_RECORD_LENGTH);
    char *buf = xmalloc(n + 1);
    size_t got = 0;
    off_t found = -1;

    while (got < n) {
        ssize_t r = pread(log->fd, buf + got, n - got,
                          log->offset + (off_t) got);
        if (r <= 0 && !(r < 0 && errno == EINTR)) {
            break;
        }
        got += r > 0 ? (size_t) r : 0;
    }
    for (size_t i = 1; i + MAGIC_LEN <= got && found < 0; i++) {
        size_t header_len, length;
        uint32_t crc;
        if (memcmp(buf + i, MAGIC, MAGIC_LEN)
            || parse_header(buf + i, got - i, &header_len, &length, &crc)
               != HEADER_OK
            || length + 1 > got - i - header_len) {
            continue;
        }
        if (crc32c(0, buf + i + header_len, length) == crc) {
            found = log->offset + (off_t) i;
        }
    }
    free(buf);
    return found;
}

/* Deals with the damaged record at LOG's offset, which WHY describes.  A
 * damaged last record is a write that a crash cut short: a writable log
 * cuts it off.  Damage followed by intact records is something else (a
 * disk error, an edit): cutting there would lose committed records, so
 * the file is refused instead.  Returns 0 or a positive errno value
 * (logged). */
static int
cut_tail(struct db_log *log, const char *why)
{
    struct stat s;
    long long int rest = (!fstat(log->fd, &s)
                          ? (long long int) (s.st_size - log->offset) : -1);
    off_t intact = rest > 0 ? find_intact_record(log, rest) : -1;

    if (intact >= 0) {
        VLOG_ERR("%s: %s at offset %lld, but an intact record follows at "
                 "offset %lld: the file is damaged, not just cut short by "
                 "a crash; refusing to drop committed records (repair or "
                 "restore the file)", log->name, why,
                 (long long int) log->offset, (long long int) intact);
        return EBADMSG;
    }

    if (!log->writable) {
        VLOG_WARN("%s: %s at offset %lld; ignoring the rest of the file "
                  "(%lld bytes)", log->name, why,
                  (long long int) log->offset, rest);
        return 0;
    }

    VLOG_WARN("%s: %s at offset %lld; truncating the file there "
              "(dropping %lld bytes)", log->name, why,
              (long long int) log->offset, rest);
    if (ftruncate(log->fd, log->offset) < 0) {
        int error = errno;
        VLOG_ERR("%s: cannot truncate to %lld bytes: %s", log->name,
                 (long long int) log->offset, strerror(error));
        return error;
    }
    return 0;
}

int
db_log_read(struct db_log *log, struct json_object **recordp)
{
    *recordp = NULL;
    if (log->not_skiff) {
        return EPROTO;
    } else if (log->at_end) {
        return 0;
    }

    char *why = NULL;
    int error = read_record(log, recordp, &why);
    if (error) {
        if (error != EPROTO) {
            VLOG_ERR("%s: read error at offset %lld: %s", log->name,
                     (long long int) log->offset, strerror(error));
        }
        return error;
    }
    if (*recordp) {
        return 0;
    }
    if (why) {
        error = cut_tail(log, why);
        free(why);
        if (error) {
            return error;
        }
    }
    log->at_end = true;
    release_buffer(log);
    return 0;
}

/* ---- Writing. ---- */

/* Returns 0 if LOG may be written now, otherwise a positive errno value. */
static int
check_writable(const struct db_log *log)
{
    return (!log->writable ? EBADF
            : log->write_error ? log->write_error
            : log->not_skiff ? EPROTO
            : !log->at_end ? EINVAL
            : 0);
}

/* Appends the N bytes of DATA, one whole record, to LOG. */
static int
append_record(struct db_log *log, const char *data, size_t n)
{
    int error = pwrite_fully(log->fd, data, n, log->offset);
    if (error) {
        VLOG_ERR("%s: write failed at offset %lld: %s", log->name,
                 (long long int) log->offset, strerror(error));
        /* Remove whatever part of the record got written, so that the
         * next record follows the last good one. */
        if (ftruncate(log->fd, log->offset) < 0) {
            VLOG_ERR("%s: cannot remove a partly written record (%s); "
                     "refusing further writes", log->name, strerror(errno));
            log->write_error = error;
        }
        return error;
    }
    log->offset += (off_t) n;
    log->n_records++;
    log->dirty = true;
    return 0;
}

int
db_log_write(struct db_log *log, const struct json_object *record)
{
    int error = check_writable(log);
    if (error) {
        return error;
    } else if (!record) {
        VLOG_ERR("%s: a null record cannot be written", log->name);
        return EINVAL;
    }

    /* json-c keeps the text it makes inside the object, so it wants a
     * non-const pointer; the object's value does not change. */
    struct json_object *obj = (struct json_object *) record;
    size_t length;
    const char *json = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN, &length);
    if (length > MAX_RECORD_LENGTH) {
        VLOG_ERR("%s: record of %zu bytes is too long (maximum %d)",
                 log->name, length, MAX_RECORD_LENGTH);
        return EFBIG;
    }

    struct ds rec = DS_EMPTY_INITIALIZER;
    ds_put_format(&rec, MAGIC "%zu %08"PRIx32"\n", length,
                  crc32c(0, json, length));
    size_t header_len = rec.length;
    ds_put_buffer(&rec, json, length);
    ds_put_char(&rec, '\n');

    /* Refuse a record that would not read back (too deep, say) rather than
     * write one that the next reading would cut off. */
    char *why;
    struct json_object *back = parse_json(rec.string + header_len,
                                          length + 1, &why);
    if (!back) {
        VLOG_ERR("%s: record would not read back: %s", log->name, why);
        free(why);
        error = EINVAL;
        goto out_destroy;
    }
    json_object_put(back);
    error = append_record(log, rec.string, rec.length);

out_destroy:
    ds_destroy(&rec);
    return error;
}

int
db_log_commit(struct db_log *log)
{
    if (!log->writable) {
        return EBADF;
    } else if (log->write_error) {
        return log->write_error;
    }

    if (log->dirty) {
        if (fsync(log->fd) < 0) {
            /* What failed to reach the disk may be lost for good even if a
             * later fsync() succeeds, so the log goes no further. */
            log->write_error = errno;
            VLOG_ERR("%s: fsync failed (%s); refusing further writes",
                     log->name, strerror(log->write_error));
            return log->write_error;
        }
        log->dirty = false;
    }
    if (log->sync_dir) {
        int error = fsync_dir(log->name);
        if (error) {
            return error;
        }
        log->sync_dir = false;
    }
    return 0;
}

/* ---- Compaction. ---- */

/* Creates and locks NAME, a fresh file (any leftover of that name is
 * removed first) with MODE.  Returns 0 and *FDP or a positive errno value
 * (logged). */
static int
create_fresh(const char *name, mode_t mode, int *fdp)
{
    if (unlink(name) < 0 && errno != ENOENT) {
        int error = errno;
        VLOG_ERR("%s: cannot remove: %s", name, strerror(error));
        return error;
    }
    int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        int error = errno;
        VLOG_ERR("%s: cannot create: %s", name, strerror(error));
        return error;
    }
    /* The same permissions as the file it replaces, whatever the umask. */
    int error = fchmod(fd, mode) < 0 ? errno : 0;
    if (error) {
        VLOG_ERR("%s: cannot set permissions: %s", name, strerror(error));
    } else {
        error = lock_file(fd, name);
    }
    if (error) {
        close(fd);
        unlink(name);
        return error;
    }
    *fdp = fd;
    return 0;
}

int
db_log_replace_start(struct db_log *log, struct db_log **newp)
{
    *newp = NULL;
    int error = (!log->writable ? EBADF
                 : log->not_skiff ? EPROTO
                 : !log->at_end || log->is_replacement ? EINVAL
                 : log->replacement ? EBUSY
                 : 0);
    if (error) {
        return error;
    }

    struct stat s;
    if (fstat(log->fd, &s) < 0) {
        return errno;
    }
    char *name = xasprintf("%s.tmp", log->name);
    int fd = -1;
    error = create_fresh(name, s.st_mode & 07777, &fd);
    if (!error && fstat(fd, &s) < 0) {
        error = errno;
        close(fd);
        unlink(name);
    }
    if (!error) {
        struct db_log *new = log_create(name, fd, true, &s);
        new->at_end = true;
        new->dirty = true;      /* Sync even an empty file's inode. */
        new->is_replacement = true;
        error = register_log(new);
        if (error) {
            db_log_replace_abort(new);
        } else {
            new->replaces = log;
            log->replacement = new;
            *newp = new;
        }
    }
    free(name);
    return error;
}

/* Makes LOG use NEW's file, which now has LOG's name, and frees NEW. */
static void
take_over(struct db_log *log, struct db_log *new)
{
    unregister_log(new);
    log->replacement = NULL;

    pthread_mutex_lock(&open_logs_mutex);
    log->dev = new->dev;
    log->ino = new->ino;
    pthread_mutex_unlock(&open_logs_mutex);

    /* Closing the old file drops its lock; the new one is locked. */
    close(log->fd);
    log->fd = new->fd;
    log->offset = new->offset;
    log->n_records = new->n_records;
    log->dirty = false;
    log->sync_dir = false;
    log->write_error = 0;
    log->at_end = true;
    release_buffer(log);

    free(new->name);
    free(new);
}

int
db_log_replace_commit(struct db_log *log, struct db_log *new)
{
    if (!new->is_replacement || new->replaces != log) {
        VLOG_ERR("%s: not a replacement for %s", new->name, log->name);
        db_log_replace_abort(new);
        return EINVAL;
    }
    int error = db_log_commit(new);
    if (error) {
        goto out_abort;
    }
    if (rename(new->name, log->name) < 0) {
        error = errno;
        VLOG_ERR("%s: cannot rename to %s: %s", new->name, log->name,
                 strerror(error));
        goto out_abort;
    }

    take_over(log, new);
    error = fsync_dir(log->name);
    if (error) {
        /* The next db_log_commit() tries again: until then, nothing
         * written to the new file counts as committed. */
        log->sync_dir = true;
    }
    return error;

out_abort:
    db_log_replace_abort(new);
    return error;
}

void
db_log_replace_abort(struct db_log *new)
{
    if (new && !new->is_replacement) {
        VLOG_ERR("%s: not a replacement: closed, not removed", new->name);
        db_log_close(new);
    } else if (new) {
        /* Unlink before closing, while the file is still locked. */
        if (unlink(new->name) < 0 && errno != ENOENT) {
            VLOG_WARN("%s: cannot remove: %s", new->name, strerror(errno));
        }
        db_log_close(new);
    }
}
