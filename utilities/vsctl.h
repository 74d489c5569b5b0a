/*
 * vsctl.h: what skiff-vsctl's command files share.
 *
 * skiff-vsctl runs a chain of commands ("add-br br0 -- add-port br0 p1")
 * as one transaction.  It replicates the whole database (db-idl), copies
 * the replica into a private in-memory database, and opens one db_txn on
 * that copy.  Each command reads and changes the copy through the helpers
 * below, so later commands see what earlier ones did.  When every command
 * has run, the transaction's changes become RFC 7047 operations for the
 * server (inserts, updates and deletes, each change guarded by a "wait"
 * that the row's _version is still the one read), and are committed.  If
 * another client changed one of those rows meanwhile, the whole chain
 * runs again on fresh contents.
 *
 * A command's run function returns 0, or vsctl_error()'s value after
 * describing the problem (the message names the bad thing: "no bridge
 * named br9").  Then nothing is committed and skiff-vsctl exits 1.  A
 * run function may also return 2, a silent "no" (br-exists of a bridge
 * that does not exist): nothing is committed or printed, and skiff-vsctl
 * exits 2.
 *
 * Output goes to the command's 'output'.  Text that names a row inserted
 * by this chain should use vsctl_put_uuid(), so that the placeholder is
 * replaced by the row's real uuid once the server has assigned it.
 */
#ifndef SKIFF_VSCTL_H
#define SKIFF_VSCTL_H 1

#include <stdbool.h>

#include "db-data.h"
#include "db-txn.h"
#include "db.h"
#include "dynamic-string.h"
#include "hmap.h"
#include "util.h"
#include "uuid.h"

enum vsctl_format {
    VSCTL_FORMAT_TABLE,
    VSCTL_FORMAT_LIST,
    VSCTL_FORMAT_JSON,
    VSCTL_FORMAT_CSV
};

/* Options that apply to the whole invocation. */
struct vsctl_options {
    const char *db;                 /* Server, e.g. "unix:/run/skiff/..". */
    int timeout_ms;                 /* -1: no timeout. */
    bool no_wait;                   /* Don't wait for cur_cfg. */
    enum vsctl_format format;
    bool bare;                      /* --bare. */
    bool dry_run;                   /* --dry-run: commit nothing. */
};

/* "--id=@name" names: a name's uuid, and whether a command created it. */
struct vsctl_symbol {
    struct hmap_node node;
    char *name;                     /* With the '@'. */
    struct uuid uuid;
    bool created;
};

struct vsctl_ctx {
    const struct vsctl_options *options;
    struct db *db;                  /* The private copy. */
    struct db_txn *txn;             /* Open on 'db'. */
    struct hmap symbols;            /* Of struct vsctl_symbol. */
    char *error;                    /* Set by vsctl_error(). */
};

/* One command of the chain, as parsed from the command line. */
struct vsctl_command {
    const struct vsctl_command_syntax *syntax;
    int argc;                       /* argv[0] is the command's name. */
    char **argv;
    /* Its own options ("--may-exist add-br br0"). */
    bool may_exist;
    bool if_exists;
    char *id;                       /* --id=@name, or NULL. */
    char *columns;                  /* --columns=..., or NULL. */
    bool all;                       /* --all (e.g. "destroy --all"). */
    struct ds output;
};

/* How a command is called.  OPTIONS lists the per-command options it
 * accepts ("--may-exist,--if-exists,--id,--columns,--all"); others are a
 * usage error.  MAX_ARGS may be INT_MAX. */
struct vsctl_command_syntax {
    const char *name;
    int min_args;
    int max_args;
    const char *arguments;          /* For --help, e.g. "BRIDGE PORT". */
    const char *options;
    int (*run)(struct vsctl_ctx *, struct vsctl_command *);
    bool read_only;                 /* Needs no next_cfg wait. */
};

/* Registers a NULL-named-terminated array of commands. */
void vsctl_register_commands(const struct vsctl_command_syntax *);
const struct vsctl_command_syntax *vsctl_find_command(const char *name);
/* Appends every command's usage line to OUT. */
void vsctl_put_usage(struct ds *out);

/* Each command file's registration function, called by main(). */
void vsctl_bridge_init(void);
void vsctl_generic_init(void);

/* Records an error message (printf-style) and returns 1. */
int vsctl_error(struct vsctl_ctx *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Records the details of ERROR (a database engine error, which it frees)
 * as the message and returns 1. */
struct db_error;
int vsctl_db_error(struct vsctl_ctx *, struct db_error *);

/* A run function's return value meaning "not yet": the chain runs again,
 * from the start, each time the database changes, until it completes or
 * --timeout passes (then the recorded message is the error). */
#define VSCTL_WAIT 3
/* Records why the chain must wait (printf-style); returns VSCTL_WAIT. */
int vsctl_wait(struct vsctl_ctx *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Tables and rows of the private copy. */
struct db_table *vsctl_table(struct vsctl_ctx *, const char *name);
/* The row of TABLE whose scalar string column COLUMN equals VALUE, or
 * NULL. */
const struct db_row *vsctl_find_by_string(struct vsctl_ctx *,
                                          const char *table,
                                          const char *column,
                                          const char *value);
/* The Open_vSwitch table's one row, creating it if missing. */
struct db_row *vsctl_root(struct vsctl_ctx *);
/* Writable version of ROW; a new row of TABLE (with a fresh uuid); delete.
 * Changes show in the copy at once. */
struct db_row *vsctl_modify(struct vsctl_ctx *, const struct db_row *);
struct db_row *vsctl_insert(struct vsctl_ctx *, const char *table);
void vsctl_delete(struct vsctl_ctx *, const struct db_row *);

/* A column of ROW's table by name (NULL if none). */
const struct db_column *vsctl_column(const struct db_row *,
                                     const char *name);
/* ROW's COLUMN (which must exist). */
const struct db_datum *vsctl_get(const struct db_row *, const char *column);
/* Replaces writable ROW's COLUMN with DATUM (taken). */
void vsctl_set(struct db_row *, const char *column, struct db_datum *);
/* Sets writable ROW's scalar or optional string COLUMN to S. */
void vsctl_set_string(struct db_row *, const char *column, const char *s);
/* Adds or removes UUID in writable ROW's set-of-uuids COLUMN. */
void vsctl_add_uuid(struct db_row *, const char *column,
                    const struct uuid *);
void vsctl_remove_uuid(struct db_row *, const char *column,
                       const struct uuid *);
/* The string value of scalar or optional string COLUMN ("" if empty). */
const char *vsctl_get_string(const struct db_row *, const char *column);

/* --id names. */
struct vsctl_symbol *vsctl_symbol_find(struct vsctl_ctx *, const char *name);
struct vsctl_symbol *vsctl_symbol_create(struct vsctl_ctx *,
                                         const char *name);

/* Values in the command-line syntax (vsctl-generic.c): a string bare or
 * in double quotes, a number, true/false, a uuid or an "@name", a set
 * "[a, b]", a map "{k=v, k2=v2}".  Both return 0 or vsctl_error(). */
int vsctl_parse_datum(struct vsctl_ctx *, const struct db_type *,
                      const char *text, struct db_datum *);
/* Parses one atom of BASE's type at the start of TEXT, ending at the end
 * of TEXT or at a character in STOP; sets *ENDP past it (and any spaces).
 * Returns 0 or vsctl_error(). */
int vsctl_parse_atom(struct vsctl_ctx *, const struct db_base_type *base,
                     const char *text, const char *stop, union db_atom *,
                     const char **endp);
/* Applies "COLUMN[:KEY]=VALUE" (as "set" does) to writable ROW. */
int vsctl_set_column(struct vsctl_ctx *, struct db_row *,
                     const char *setting);

/* Commits CTX's changes to the server through IDL (vsctl-commit.c): the
 * changes become operations guarded by _version waits, plus a next_cfg
 * bump unless --no-wait or every command is read-only, after which it
 * waits for cur_cfg to catch up.  Returns 0 or 1 (error, printed); sets
 * *TRY_AGAIN when another client got in the way and the chain must run
 * again on fresh contents. */
struct db_idl;
int vsctl_commit(struct db_idl *, struct vsctl_ctx *,
                 struct vsctl_command *, size_t n_commands,
                 long long int deadline, bool *try_again);

/* Output (vsctl-format.c).  DATUM of TYPE as it would be typed: "5",
 * "[1, 2]", "{a=b}" (a present value of a column that holds at most one
 * prints alone).  Uuids go through vsctl_put_uuid(). */
void vsctl_put_datum(struct ds *out, const struct db_datum *,
                     const struct db_type *);
/* Appends COLUMNS of ROWS to CMD's output in the format the options ask
 * for (--format, --bare). */
void vsctl_put_rows(struct vsctl_ctx *, struct vsctl_command *,
                    const struct db_row *const *rows, size_t n_rows,
                    const struct db_column *const *columns,
                    size_t n_columns);

/* Writes UUID to OUT (a row this chain inserts is rewritten to its real
 * uuid after the commit). */
void vsctl_put_uuid(struct ds *out, const struct uuid *);

#endif /* vsctl.h */
