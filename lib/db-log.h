/*
 * db-log: the database's durable, append-only file.
 *
 * A database file is a sequence of records.  Each record is a header line
 * followed by a JSON text:
 *
 *     SKIFFDB <length> <crc32c>\n
 *     <length bytes of JSON>\n
 *
 * <length> is the JSON's length in bytes (decimal, no leading zero, at
 * most 1 GiB) and <crc32c> its CRC-32C checksum (8 lowercase hex digits).
 * The JSON is any value but null, nested at most 128 deep, written on one
 * line by json-c (JSON_C_TO_STRING_PLAIN).  The first record of a file
 * is the database schema; each later record is one committed change (or,
 * after compaction, one snapshot of every row).  db-log does not interpret
 * the JSON: what the records mean is the database engine's business.
 *
 * Durability: db_log_commit() returns only once everything written is on
 * disk (fsync), and, for a file db_log created, its name too.  Replacing
 * a file (compaction) writes a new file beside it, syncs it, renames it
 * over the old one and syncs the directory, so a crash at any moment
 * leaves either the old or the new file, whole.  A failed fsync is final:
 * since the kernel may have dropped the data that did not reach the disk,
 * the log then refuses every later write and commit (only a replacement,
 * see below, starts afresh).
 *
 * Damage: reading stops at the first record that is incomplete (a torn
 * write) or whose length, checksum or JSON is wrong.  If no intact record
 * follows it, it is what a crash in the middle of a write leaves: in a
 * writable log the damaged tail is then cut off (truncated) with a warning
 * naming the file and offset, so that new records follow the last good
 * one; a read-only log only stops there.  If an intact record does follow,
 * the file was damaged some other way, and cutting it would lose committed
 * records: reading fails with EBADMSG (logged) and nothing is changed.
 * A file whose first bytes are not a Skiff record header is not a Skiff
 * database and is refused as a whole (a file that holds only the start of
 * a first header is a torn first write, and reads as empty).
 *
 * A writable log holds an exclusive lock on its file, so two servers never
 * write one database.  The lock is a classic fcntl() lock, which belongs to
 * the process and which closing any descriptor of the file would drop, so
 * within one process a file may be open in several read-only logs or in
 * one writable log, but not both: db_log_open() refuses that with EAGAIN.
 *
 * Thread safety: one log is used by one thread at a time; different logs
 * may be used from different threads.
 *
 * All functions return 0 or a positive errno value.
 */
#ifndef SKIFF_DB_LOG_H
#define SKIFF_DB_LOG_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

enum db_log_mode {
    DB_LOG_READ_ONLY,       /* Existing file, read only, no lock. */
    DB_LOG_READ_WRITE,      /* Existing file, locked. */
    DB_LOG_CREATE,          /* Like READ_WRITE; creates an empty file
                             * (mode 0640) if there is none. */
};

struct db_log;

/* Opens PATH.  Errors: ENOENT (no file, except with DB_LOG_CREATE),
 * EAGAIN (another process holds the lock; the error is logged with its
 * pid), or another errno value from the system.  A file that is not a
 * Skiff database is only found by the first db_log_read(). */
int db_log_open(const char *path, enum db_log_mode, struct db_log **logp);
void db_log_close(struct db_log *);    /* Accepts NULL. */

const char *db_log_get_name(const struct db_log *);

/* Reads the next record: 0 and *recordp (the caller puts it), or 0 and
 * *recordp NULL at the end of the good records (after which writing may
 * begin).  Errors: EPROTO with a logged message when the file is not a
 * Skiff database (its very first record header is bad); EBADMSG for damage
 * followed by intact records; I/O errors.  A damaged tail is not an error:
 * see above. */
int db_log_read(struct db_log *, struct json_object **recordp);

/* Appends RECORD (not taking ownership).  Reading must have reached the
 * end first.  Data reaches the disk only with db_log_commit().  Errors:
 * EBADF (read-only log), EINVAL (reading not at the end, or a record that
 * is null or would not read back, logged), EFBIG (longer than 1 GiB,
 * logged), EPROTO (not a Skiff database), the sticky error of a failed
 * fsync, or an I/O error (logged; what part of the record got written is
 * removed again).  json-c keeps RECORD's text inside it, so RECORD must not
 * be in use by another thread meanwhile. */
int db_log_write(struct db_log *, const struct json_object *record);
int db_log_commit(struct db_log *);

/* Bytes in the file up to the end of the last good or written record, and
 * records in it. */
off_t db_log_get_offset(const struct db_log *);
unsigned long long db_log_get_n_records(const struct db_log *);

/* Compaction: db_log_replace_start() creates a new, empty log beside LOG
 * (same path plus ".tmp", replacing any leftover of an earlier attempt);
 * LOG must be writable (else EBADF), read to its end (else EINVAL) and
 * have no other replacement under way (else EBUSY).  The caller writes the
 * records that summarize the database to NEW; db_log_replace_commit()
 * makes it durable and renames it over LOG's file, after which LOG itself
 * reads and writes the new file.  db_log_replace_commit() frees NEW
 * whatever it returns (EINVAL if NEW is not LOG's replacement);
 * db_log_replace_abort() discards NEW (and accepts NULL).  Errors from the
 * system are logged.  On error the old file is untouched, with one
 * exception: if only the final sync of the directory fails, the rename is
 * done but may not be durable yet, so LOG uses the new file, the error is
 * returned, and LOG's next db_log_commit() retries that sync before it
 * reports success. */
int db_log_replace_start(struct db_log *log, struct db_log **newp);
int db_log_replace_commit(struct db_log *log, struct db_log *new);
void db_log_replace_abort(struct db_log *new);

/* CRC-32C (Castagnoli) of N bytes, continuing from CRC (0 to start). */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

#endif /* db-log.h */
