/* serial: the 16550A console UART; see serial.h. */
#include <config.h>

#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "io-bus.h"
#include "kvm-vm.h"
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(serial);

#define SERIAL_FIFO 64
#define SERIAL_BACKLOG 16384        /* Socket output kept for a client. */
#define SERIAL_ESCAPE 0x01          /* Ctrl-A. */

/* Registers. */
#define UART_RBR_THR 0
#define UART_IER 1
#define UART_IIR_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define IER_RDA 0x01
#define IER_THRE 0x02
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

enum serial_kind { SERIAL_NONE, SERIAL_STDIO, SERIAL_FILE, SERIAL_SOCKET };

struct serial {
    struct kvm_vm *vm;
    enum serial_kind kind;
    char *spec;
    char *path;                 /* Socket path, to remove. */
    int in_fd;                  /* -1: no input. */
    int out_fd;                 /* -1: output dropped. */
    int listen_fd;              /* Socket console: the listener. */
    bool raw;                   /* Terminal settings to restore. */
    struct termios saved;
    bool escape;                /* Last input byte was Ctrl-A. */

    pthread_mutex_t mutex;      /* Guards everything below. */
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    bool thre_pending;
    int irq_level;
    uint8_t rx[SERIAL_FIFO];
    int rx_head, rx_count;
    uint8_t *backlog;           /* Socket: the latest output, for the */
    size_t backlog_len;         /* next client to connect. */
};

static int
serial_listen(struct serial *s, const char *path, char **errorp)
{
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof un.sun_path) {
        *errorp = xasprintf("console socket path \"%s\" is too long", path);
        return ENAMETOOLONG;
    }
    strcpy(un.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *errorp = xasprintf("socket: %s", strerror(errno));
        return errno;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *) &un, sizeof un) < 0
        || listen(fd, 1) < 0) {
        int error = errno;
        *errorp = xasprintf("console socket \"%s\": %s", path,
                            strerror(error));
        close(fd);
        return error;
    }
    s->listen_fd = fd;
    s->path = xstrdup(path);
    return 0;
}

static void
serial_make_raw(struct serial *s)
{
    struct termios t;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &s->saved)) {
        return;
    }
    t = s->saved;
    cfmakeraw(&t);
    t.c_oflag |= OPOST | ONLCR;
    if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
        s->raw = true;
    }
}

int
serial_create(struct kvm_vm *vm, const char *spec, struct serial **sp,
              char **errorp)
{
    struct serial *s = xzalloc(sizeof *s);
    int error = 0;

    s->vm = vm;
    s->spec = xstrdup(spec);
    s->in_fd = s->out_fd = s->listen_fd = -1;
    s->thre_pending = false;
    pthread_mutex_init(&s->mutex, NULL);
    *errorp = NULL;

    if (!strcmp(spec, "stdio")) {
        s->kind = SERIAL_STDIO;
        s->in_fd = STDIN_FILENO;
        s->out_fd = STDOUT_FILENO;
    } else if (!strcmp(spec, "none")) {
        s->kind = SERIAL_NONE;
    } else if (str_starts_with(spec, "file:") && spec[5]) {
        s->kind = SERIAL_FILE;
        s->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                         0644);
        if (s->out_fd < 0) {
            error = errno;
            *errorp = xasprintf("console file \"%s\": %s", spec + 5,
                                strerror(error));
        }
    } else if (str_starts_with(spec, "socket:") && spec[7]) {
        s->kind = SERIAL_SOCKET;
        s->backlog = xmalloc(SERIAL_BACKLOG);
        error = serial_listen(s, spec + 7, errorp);
    } else {
        error = EINVAL;
        *errorp = xasprintf("bad --console \"%s\" (use stdio, file:PATH, "
                            "socket:PATH or none)", spec);
    }
    if (error) {
        serial_destroy(s);
        return error;
    }
    *sp = s;
    return 0;
}

/* Under the mutex: drives IRQ 4 to the state of the pending interrupts. */
static void
serial_update_irq(struct serial *s)
{
    int level = ((s->ier & IER_RDA) && s->rx_count)
                || ((s->ier & IER_THRE) && s->thre_pending);
    if (level != s->irq_level) {
        s->irq_level = level;
        kvm_vm_irq_line(s->vm, SERIAL_COM1_IRQ, level);
    }
}

/* Keeps C in the backlog, dropping the oldest half when it is full. */
static void
serial_keep(struct serial *s, uint8_t c)
{
    if (s->backlog_len == SERIAL_BACKLOG) {
        memmove(s->backlog, s->backlog + SERIAL_BACKLOG / 2,
                SERIAL_BACKLOG / 2);
        s->backlog_len = SERIAL_BACKLOG / 2;
    }
    s->backlog[s->backlog_len++] = c;
}

static void
serial_output(struct serial *s, uint8_t c)
{
    if (s->kind == SERIAL_SOCKET && s->out_fd < 0) {
        serial_keep(s, c);
    } else if (s->out_fd >= 0) {
        ssize_t n;
        do {
            n = write(s->out_fd, &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && s->kind == SERIAL_SOCKET && errno != EAGAIN) {
            close(s->out_fd);
            s->out_fd = s->in_fd = -1;
        }
    }
}

static uint8_t
serial_read_reg(struct serial *s, uint64_t reg)
{
    switch (reg) {
    case UART_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            return s->dll;
        }
        if (s->rx_count) {
            uint8_t c = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % SERIAL_FIFO;
            s->rx_count--;
            return c;
        }
        return 0;
    case UART_IER:
        return s->lcr & LCR_DLAB ? s->dlm : s->ier;
    case UART_IIR_FCR: {
        uint8_t fifo = s->fcr & 1 ? IIR_FIFO : 0;
        if ((s->ier & IER_RDA) && s->rx_count) {
            return fifo | IIR_RDA;
        }
        if ((s->ier & IER_THRE) && s->thre_pending) {
            s->thre_pending = false;        /* Reading IIR clears it. */
            return fifo | IIR_THRE;
        }
        return fifo | IIR_NONE;
    }
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        return LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
    case UART_MSR:
        if (s->mcr & MCR_LOOP) {
            /* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
            return (uint8_t) (((s->mcr & 0x01) << 5) | ((s->mcr & 0x02) << 3)
                              | ((s->mcr & 0x04) << 4)
                              | ((s->mcr & 0x08) << 4));
        }
        return 0xb0;                /* DCD, DSR, CTS. */
    case UART_SCR:
        return s->scr;
    default:
        return 0xff;
    }
}

static void
serial_write_reg(struct serial *s, uint64_t reg, uint8_t v)
{
    switch (reg) {
    case UART_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            s->dll = v;
        } else if (s->mcr & MCR_LOOP) {
            if (s->rx_count < SERIAL_FIFO) {
                s->rx[(s->rx_head + s->rx_count++) % SERIAL_FIFO] = v;
            }
            s->thre_pending = true;
        } else {
            serial_output(s, v);
            s->thre_pending = true;
        }
        break;
    case UART_IER:
        if (s->lcr & LCR_DLAB) {
            s->dlm = v;
        } else {
            if (!(s->ier & IER_THRE) && (v & IER_THRE)) {
                s->thre_pending = true;
            }
            s->ier = v & 0x0f;
        }
        break;
    case UART_IIR_FCR:
        s->fcr = v;
        if (v & 0x02) {
            s->rx_count = 0;
        }
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;
        break;
    case UART_SCR:
        s->scr = v;
        break;
    default:
        break;
    }
}

static void
serial_io(void *s_, uint64_t offset, uint8_t *data, uint32_t len,
          bool is_write)
{
    struct serial *s = s_;
    if (len != 1) {
        return;
    }
    pthread_mutex_lock(&s->mutex);
    if (is_write) {
        serial_write_reg(s, offset, data[0]);
    } else {
        data[0] = serial_read_reg(s, offset);
    }
    serial_update_irq(s);
    pthread_mutex_unlock(&s->mutex);
}

int
serial_attach(struct serial *s)
{
    if (s->kind == SERIAL_STDIO) {
        serial_make_raw(s);
    }
    return io_bus_register(&s->vm->pio, SERIAL_COM1_PORT, 8, serial_io, s);
}

/* Queues input byte C for the guest, or handles the escape sequence. */
static void
serial_input(struct serial *s, uint8_t c)
{
    if (s->kind == SERIAL_STDIO) {
        if (s->escape) {
            s->escape = false;
            if (c == 'x' || c == 'X') {
                VLOG_INFO("console escape: ending the VM");
                kvm_vm_request_exit(s->vm, 0);
                return;
            } else if (c != SERIAL_ESCAPE) {
                return;
            }
        } else if (c == SERIAL_ESCAPE) {
            s->escape = true;
            return;
        }
    }
    if (s->rx_count < SERIAL_FIFO) {
        s->rx[(s->rx_head + s->rx_count++) % SERIAL_FIFO] = c;
    }
}

void
serial_run(struct serial *s)
{
    if (s->listen_fd >= 0) {
        int fd = accept4(s->listen_fd, NULL, NULL,
                         SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            pthread_mutex_lock(&s->mutex);
            if (s->out_fd >= 0) {
                close(s->out_fd);
            }
            s->in_fd = s->out_fd = fd;
            if (s->backlog_len) {
                ssize_t n = write(fd, s->backlog, s->backlog_len);
                (void) n;           /* What does not fit is lost. */
                s->backlog_len = 0;
            }
            pthread_mutex_unlock(&s->mutex);
        }
    }

    pthread_mutex_lock(&s->mutex);
    if (s->in_fd >= 0 && s->rx_count < SERIAL_FIFO) {
        uint8_t buf[SERIAL_FIFO];
        ssize_t n = read(s->in_fd, buf, (size_t) (SERIAL_FIFO - s->rx_count));
        if (n > 0) {
            for (ssize_t i = 0; i < n; i++) {
                serial_input(s, buf[i]);
            }
            serial_update_irq(s);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            /* End of input: a socket client left, or stdin closed. */
            if (s->kind == SERIAL_SOCKET) {
                close(s->in_fd);
                s->out_fd = -1;
            }
            s->in_fd = -1;
        }
    }
    pthread_mutex_unlock(&s->mutex);
}

void
serial_wait(struct serial *s)
{
    if (s->listen_fd >= 0) {
        poll_fd_wait(s->listen_fd, POLLIN);
    }
    pthread_mutex_lock(&s->mutex);
    if (s->in_fd >= 0) {
        if (s->rx_count < SERIAL_FIFO) {
            poll_fd_wait(s->in_fd, POLLIN);
        } else {
            poll_timer_wait(10);        /* The guest drains the FIFO. */
        }
    }
    pthread_mutex_unlock(&s->mutex);
}

void
serial_destroy(struct serial *s)
{
    if (!s) {
        return;
    }
    if (s->raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
    }
    if (s->kind == SERIAL_FILE && s->out_fd >= 0) {
        close(s->out_fd);
    }
    if (s->kind == SERIAL_SOCKET) {
        if (s->out_fd >= 0) {
            close(s->out_fd);
        }
        if (s->listen_fd >= 0) {
            close(s->listen_fd);
        }
        if (s->path) {
            unlink(s->path);
        }
    }
    pthread_mutex_destroy(&s->mutex);
    free(s->backlog);
    free(s->path);
    free(s->spec);
    free(s);
}

const char *
serial_get_spec(const struct serial *s)
{
    return s->spec;
}
