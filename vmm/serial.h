/*
 * serial: a 16550A UART on COM1 (ports 0x3f8-0x3ff, IRQ 4), the console.
 *
 * The console is one of:
 *   stdio          output to stdout; input from stdin, put in raw mode when
 *                  it is a terminal.  Ctrl-A x ends the VM (exit status 0),
 *                  Ctrl-A Ctrl-A sends one Ctrl-A.
 *   file:PATH      output appended to PATH; no input
 *   socket:PATH    a unix socket listening at PATH; one client at a time
 *                  gets output and gives input; output while no client is
 *                  connected is kept (the last 8 to 16 KiB) for the next
 *                  one
 *   none           output dropped
 *
 * The guest's registers are served on the vCPU threads (serial_io() on the
 * port bus); input and the socket are served by the main loop through
 * serial_run() and serial_wait().  The interrupt line follows the 16550's
 * rules: received data (IER bit 0) and transmitter empty (IER bit 1).
 */
#ifndef SKIFF_VMM_SERIAL_H
#define SKIFF_VMM_SERIAL_H 1

struct kvm_vm;
struct serial;

#define SERIAL_COM1_PORT 0x3f8
#define SERIAL_COM1_IRQ 4

/* Parses SPEC (see above) and opens the console.  Returns 0, or EINVAL for
 * a bad SPEC or another positive errno value, with *ERRORP saying why. */
int serial_create(struct kvm_vm *, const char *spec, struct serial **,
                  char **errorp);

/* Registers the UART on the VM's port bus. */
int serial_attach(struct serial *);

void serial_run(struct serial *);
void serial_wait(struct serial *);

/* Restores the terminal and closes everything.  Accepts NULL. */
void serial_destroy(struct serial *);

/* For "info": "stdio", "file:PATH"... */
const char *serial_get_spec(const struct serial *);

#endif /* serial.h */
