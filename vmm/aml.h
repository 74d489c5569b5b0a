/*
 * aml: a small encoder of ACPI Machine Language, enough for a DSDT that
 * describes fixed devices (ACPI 6.x, section 20: AML grammar).
 *
 * Code is built in a dynamic string: an aml_open_*() starts a scope,
 * device or buffer whose package length is not known yet, and
 * aml_close() fills it in once the contents are written.  Names are
 * 1 to 4 characters of [A-Z0-9_] (padded with '_'), optionally with a
 * leading '\' for the root.
 */
#ifndef SKIFF_VMM_AML_H
#define SKIFF_VMM_AML_H 1

#include <stddef.h>
#include <stdint.h>

#include "dynamic-string.h"

#define AML_MAX_DEPTH 8

struct aml {
    struct ds code;
    int depth;
    size_t open[AML_MAX_DEPTH];     /* Where each open package starts. */
};

void aml_init(struct aml *);
void aml_destroy(struct aml *);

void aml_name_string(struct aml *, const char *name);
void aml_integer(struct aml *, uint64_t);
void aml_string(struct aml *, const char *);

/* Name(NAME, ...): follow with one data object. */
void aml_name(struct aml *, const char *name);

/* EISAID("PNP0501") as its compressed 32-bit integer. */
void aml_eisaid(struct aml *, const char *id);

void aml_open_scope(struct aml *, const char *name);
void aml_open_device(struct aml *, const char *name);
/* A Buffer whose bytes follow (e.g. a resource template). */
void aml_open_buffer(struct aml *);
void aml_close(struct aml *);

/* Resource descriptors, for a ResourceTemplate buffer.  aml_end_tag()
 * ends the template. */
void aml_res_io(struct aml *, uint16_t base, uint8_t len);
void aml_res_irq_noflags(struct aml *, unsigned int irq);
void aml_res_memory32_fixed(struct aml *, uint32_t base, uint32_t size);
void aml_res_interrupt(struct aml *, uint32_t irq);  /* Edge, high. */
void aml_res_end_tag(struct aml *);

#endif /* aml.h */
