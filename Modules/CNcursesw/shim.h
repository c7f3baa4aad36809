// ncursesw for Swift. SwiftPM drops pkg-config's -D flags, so the wide-character
// API is switched on here. Macros and C globals Swift cannot see (or that break
// strict concurrency) are reached through the functions below.
#ifndef REDI_NCURSES_SHIM_H
#define REDI_NCURSES_SHIM_H

#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *redi_stdscr(void) { return stdscr; }
static inline FILE *redi_stdout(void) { return stdout; }
static inline FILE *redi_stdin(void) { return stdin; }
static inline int redi_lines(void) { return LINES; }
static inline int redi_cols(void) { return COLS; }
static inline int redi_colors(void) { return COLORS; }

static inline attr_t redi_a_normal(void) { return A_NORMAL; }
static inline attr_t redi_a_bold(void) { return A_BOLD; }
static inline attr_t redi_a_dim(void) { return A_DIM; }
static inline attr_t redi_a_reverse(void) { return A_REVERSE; }
static inline attr_t redi_a_underline(void) { return A_UNDERLINE; }

static inline int redi_key_f(int n) { return KEY_F(n); }

/// Whether the current terminal can move the cursor anywhere (terminfo's
/// `cup`): a full-screen UI needs it; `dumb` has none.
static inline int redi_can_address_cursor(void) {
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (const char *)-1 && cup[0] != 0;
}

extern int wcwidth(wchar_t c);
/// Columns a character takes (-1 for non-printable), per the current locale.
static inline int redi_wcwidth(wchar_t c) { return wcwidth(c); }

static inline void redi_getmaxyx(WINDOW *window, int *rows, int *columns) {
    int y, x;
    getmaxyx(window, y, x);
    *rows = y;
    *columns = x;
}

/// Draws one cell: a character (with its width decided by ncurses) and attributes.
static inline int redi_put_cell(WINDOW *window, int row, int column, const wchar_t *text, attr_t attributes, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attributes, pair, NULL) != OK) return ERR;
    return mvwadd_wch(window, row, column, &cell);
}

#endif
