/*
 * classifier: a priority tuple-space search over flow keys, with
 * un-wildcarding.
 *
 * A rule is a (key, mask, priority) triple: a flow matches it when the
 * flow's bits under the mask equal the key's.  A lookup returns the
 * highest-priority rule that matches.  Rules with the same mask share a
 * "subtable", a hash table keyed by the masked key, so a lookup costs one
 * hash probe per distinct mask, not one comparison per rule.
 *
 * Un-wildcarding: classifier_lookup() ORs into the caller's
 * struct flow_wildcards every bit it consulted, that is, the whole mask of
 * each subtable it probed.  Subtables are probed in order of the highest
 * priority they hold, and the search stops as soon as no remaining
 * subtable can beat the rule found so far; the bits of subtables never
 * probed are left wildcarded.  Any flow that agrees with the looked-up flow
 * on every consulted bit gets the same answer, which is what makes the
 * result usable as a megaflow mask.  Among rules of equal priority that
 * overlap, the one found first wins (OpenFlow leaves this undefined).
 *
 * Concurrency: writers (classifier_insert(), classifier_remove(),
 * classifier_publish()) are serialized by the caller and change a private
 * index; readers look up in an immutable snapshot of it.
 * classifier_publish() builds a new snapshot (rebuilding only the
 * subtables that changed, so a publish costs the size of what changed plus
 * one pointer per subtable), stores its pointer atomically (readers see
 * either the old or the new one: each published snapshot is one version of
 * the table) and frees what it replaced after an RCU grace period
 * (rcu.h).  So lookups never wait for writers, and a batch of
 * changes becomes visible all at once.  classifier_lookup() must be called
 * inside rcu_read_lock() / rcu_read_unlock(), and the rule it returns may
 * be used only until rcu_read_unlock().  A removed rule is still visible
 * to readers until the next classifier_publish() returns; only then may
 * the caller free it (or the caller frees it with rcu_postpone() after
 * publishing).
 */
#ifndef SKIFF_CLASSIFIER_H
#define SKIFF_CLASSIFIER_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "hmap.h"

struct cls_snapshot;

struct cls_rule {
    struct hmap_node node;      /* In its subtable's 'rules' (writer). */
    struct cls_subtable *subtable;  /* NULL when not inserted. */
    struct flow flow;           /* The key, already masked. */
    struct flow_wildcards wc;   /* The mask. */
    int priority;
};

struct cls_snap_subtable;

struct classifier {
    struct hmap subtables;      /* struct cls_subtable, by mask hash. */
    size_t n_rules;
    uint64_t version;           /* Of the last published snapshot. */
    _Atomic(struct cls_snapshot *) snapshot;
    /* Views of removed subtables, freed at the next publish. */
    struct cls_snap_subtable **retired;
    size_t retired_n, retired_allocated;
};

/* Initializes RULE with FLOW & WC as its key.  The classifier does not
 * own rules: the caller allocates and frees them. */
void cls_rule_init(struct cls_rule *, const struct flow *,
                   const struct flow_wildcards *, int priority);
/* True if FLOW matches RULE. */
bool cls_rule_matches(const struct cls_rule *, const struct flow *);
/* True if A and B have the same mask and key (priority aside). */
bool cls_rule_equal_match(const struct cls_rule *, const struct cls_rule *);

void classifier_init(struct classifier *);
/* Frees the classifier's memory; the rules still in it are not freed.  No
 * reader may be using it. */
void classifier_destroy(struct classifier *);

/* Writer side (the caller serializes).  insert() and remove() take effect
 * for readers at the next classifier_publish(). */
void classifier_insert(struct classifier *, struct cls_rule *);
void classifier_remove(struct classifier *, struct cls_rule *);
size_t classifier_count(const struct classifier *);
/* The rule with exactly RULE's key, mask and priority, or NULL. */
struct cls_rule *classifier_find_exactly(const struct classifier *,
                                         const struct cls_rule *);
/* Publishes the current rules to readers and waits for an RCU grace
 * period, after which nothing removed before the call is referenced by a
 * reader.  Returns the new snapshot's version. */
uint64_t classifier_publish(struct classifier *);

/* Reader side: the highest-priority rule matching FLOW in the published
 * snapshot, or NULL.  If WC is nonnull, ORs the consulted bits into it.
 * Call inside an RCU read-side section. */
const struct cls_rule *classifier_lookup(const struct classifier *,
                                         const struct flow *,
                                         struct flow_wildcards *wc);

/* Iterates over every rule of the writer's index (any order); the body
 * must not insert or remove. */
struct cls_rule *classifier_first(const struct classifier *);
struct cls_rule *classifier_next(const struct classifier *,
                                 const struct cls_rule *);
#define CLASSIFIER_FOR_EACH(RULE, CLS)                                  \
    for ((RULE) = classifier_first(CLS); (RULE);                        \
         (RULE) = classifier_next(CLS, RULE))

#endif /* classifier.h */
