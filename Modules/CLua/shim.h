// Lua 5.1 for Swift, with Debian's cjson and bitop, as Redis embeds them.
//
// Lua raises errors with longjmp, which must never cross a Swift frame (it
// would skip Swift's releases). So every function Swift gives Lua goes
// through `redi_trampoline`: the Swift function returns how many results it
// pushed, or -1 after pushing an error value, and the trampoline, in C,
// raises it. The count hook works the same way (`redi_count_hook`). Macros
// Swift cannot import are functions here.
#ifndef REDI_LUA_SHIM_H
#define REDI_LUA_SHIM_H

#include <lua5.1/lua.h>
#include <lua5.1/lauxlib.h>
#include <lua5.1/lualib.h>
#include <lua5.1/lua-cjson.h>
#include <lua5.1/lua-bitop.h>

/// A function written in Swift: the number of results it pushed, or -1 to
/// raise the value on top of the stack as an error.
typedef int (*redi_lua_function)(lua_State *L);

static int redi_trampoline(lua_State *L) {
    redi_lua_function function = (redi_lua_function)lua_touserdata(L, lua_upvalueindex(1));
    int results = function(L);
    if (results < 0) return lua_error(L);
    return results;
}

/// Pushes a Swift function as a Lua function; `context` (may be NULL) is its
/// second upvalue, for `redi_context`.
static inline void redi_push_function(lua_State *L, redi_lua_function function, void *context) {
    lua_pushlightuserdata(L, (void *)function);
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, redi_trampoline, 2);
}

/// The `context` a Swift function was pushed with.
static inline void *redi_context(lua_State *L) {
    return lua_touserdata(L, lua_upvalueindex(2));
}

/// What the count hook's Swift half asks for.
enum { REDI_HOOK_CONTINUE = 0, REDI_HOOK_RAISE = 1, REDI_HOOK_YIELD = 2 };

static const char redi_hook_key = 0;

static void redi_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_pushlightuserdata(L, (void *)&redi_hook_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    redi_lua_function function = (redi_lua_function)lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (function == NULL) return;
    int action = function(L);
    if (action == REDI_HOOK_RAISE) lua_error(L);
    if (action == REDI_HOOK_YIELD) lua_yield(L, 0);
}

/// Calls `function` every `count` instructions (on every line when `count`
/// is 0) in threads created from `L` afterwards and in `L`; NULL removes it.
static inline void redi_set_hook(lua_State *L, redi_lua_function function, int count) {
    lua_pushlightuserdata(L, (void *)&redi_hook_key);
    lua_pushlightuserdata(L, (void *)function);
    lua_rawset(L, LUA_REGISTRYINDEX);
    if (function == NULL) {
        lua_sethook(L, NULL, 0, 0);
    } else {
        lua_sethook(L, redi_count_hook, count == 0 ? LUA_MASKLINE : LUA_MASKCOUNT, count);
    }
}

// Lua 5.1.5's `lua_State` up to the C-call counters (lstate.h). Lua 5.1
// lets a count hook yield only where no C function is on the thread's stack
// below (nCcalls == baseCcalls); the public API cannot tell, so this reads
// it. `redi_lua_layout_checked` verifies the layout once, at start.
struct redi_lua_state_prefix {
    void *next; unsigned char tt; unsigned char marked;
    unsigned char status;
    void *top; void *base; void *l_G; void *ci; const void *savedpc;
    void *stack_last; void *stack; void *end_ci; void *base_ci;
    int stacksize; int size_ci;
    unsigned short nCcalls; unsigned short baseCcalls;
};

/// Whether `L` may yield here: no C function between it and its resume.
static inline int redi_can_yield(lua_State *L) {
    const struct redi_lua_state_prefix *state = (const struct redi_lua_state_prefix *)(const void *)L;
    return state->nCcalls <= state->baseCcalls;
}

/// The `status` field as the layout above reads it (to check it against `lua_status`).
static inline int redi_layout_status(lua_State *L) {
    return ((const struct redi_lua_state_prefix *)(const void *)L)->status;
}

// Macros of lua.h and lauxlib.h.
static inline void redi_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline void redi_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
static inline int redi_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void redi_getglobal(lua_State *L, const char *name) { lua_getfield(L, LUA_GLOBALSINDEX, name); }
static inline void redi_setglobal(lua_State *L, const char *name) { lua_setfield(L, LUA_GLOBALSINDEX, name); }
static inline int redi_loadbuffer(lua_State *L, const char *buffer, size_t size, const char *name) {
    return luaL_loadbuffer(L, buffer, size, name);
}

#endif
