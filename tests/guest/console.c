/* The test guest's console: COM1, a 16550 UART driven by polling. */

#include "guest.h"

#define COM1 0x3f8
#define UART_THR 0              /* transmit holding register */
#define UART_IER 1              /* interrupt enable */
#define UART_FCR 2              /* FIFO control */
#define UART_LCR 3              /* line control */
#define UART_MCR 4              /* modem control */
#define UART_LSR 5              /* line status */
#define UART_DLL 0              /* divisor latch, with LCR_DLAB */
#define UART_DLM 1
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THRE 0x20           /* transmitter holding register empty */

static bool con_present;

void
con_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, 1);           /* 115200 baud */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, 0x07);        /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03);        /* DTR, RTS */
    /* No UART answers 0xff on its line status register. */
    con_present = inb(COM1 + UART_LSR) != 0xff;
}

void
con_putc(char c)
{
    if (!con_present) {
        return;
    }
    if (c == '\n') {
        con_putc('\r');
    }
    /* Bounded: a UART that never drains must not hang the guest. */
    for (int i = 0; i < 100000; i++) {
        if (inb(COM1 + UART_LSR) & LSR_THRE) {
            break;
        }
        cpu_relax();
    }
    outb(COM1 + UART_THR, (uint8_t) c);
}

void
con_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        con_putc(s[i]);
    }
}

static void
con_put_number(uint64_t value, unsigned base, bool negative, int width,
               char pad)
{
    char buf[24];
    int n = 0;

    do {
        buf[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    if (negative) {
        if (pad == '0') {
            con_putc('-');
        } else {
            buf[n++] = '-';
        }
        width--;
    }
    for (int i = n; i < width; i++) {
        con_putc(pad);
    }
    while (n > 0) {
        con_putc(buf[--n]);
    }
}

void
con_vprintf(const char *fmt, va_list args)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            con_putc(*p);
            continue;
        }
        p++;
        char pad = ' ';
        if (*p == '0') {
            pad = '0';
            p++;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p++ - '0');
        }
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }

        uint64_t u;
        int64_t d;
        switch (*p) {
        case 'd':
            d = longs ? va_arg(args, int64_t) : va_arg(args, int);
            con_put_number(d < 0 ? -(uint64_t) d : (uint64_t) d, 10, d < 0,
                           width, pad);
            break;
        case 'u':
        case 'x':
            u = longs ? va_arg(args, uint64_t) : va_arg(args, unsigned int);
            con_put_number(u, *p == 'u' ? 10 : 16, false, width, pad);
            break;
        case 'c':
            con_putc((char) va_arg(args, int));
            break;
        case 's': {
            const char *s = va_arg(args, const char *);
            size_t len = strlen(s);
            for (size_t i = len; i < (size_t) width; i++) {
                con_putc(' ');
            }
            con_write(s, len);
            break;
        }
        case '%':
            con_putc('%');
            break;
        case '\0':
            return;
        default:
            con_putc('%');
            con_putc(*p);
            break;
        }
    }
}

void
con_printf(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    con_vprintf(fmt, args);
    va_end(args);
}
