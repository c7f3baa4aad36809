import StoreEngine
import StoreEngineTestSupport
import Testing

/// Function libraries on redi and on redis-server 7.0, reply by reply.
extension RedisDifferentialTests {
    /// FUNCTION LOAD's metadata, registration and load errors, what the
    /// code sees while it loads, FCALL and FCALL_RO with their flags and
    /// errors, DELETE, LIST's arguments, STATS, KILL, RESTORE's errors, FLUSH.
    @Test(arguments: [2, 3])
    func functionRepliesMatch(protocolVersion: Int) throws {
        let (ours, theirs) = try both()
        if protocolVersion == 3 {
            _ = try ours.send(["HELLO", "3"])
            _ = try theirs.send(["HELLO", "3"])
        }
        let session = #"""
            function load "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"
            fcall myfunc 0 hello
            fcall myfunc 0
            fcall nosuch 0
            fcall myfunc x
            fcall myfunc 2 a
            fcall myfunc -1
            fcall_ro myfunc 0 a
            function load "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 1 end)"
            function load replace "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return {keys[1], args[1]} end)"
            fcall myfunc 1 k v
            function load "#!lua name=other\nredis.register_function('myfunc', function(keys, args) return 1 end)"
            function load "#!lua name=ro\nredis.register_function{function_name='rofunc', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}"
            fcall_ro rofunc 1 k
            function load "#!lua name=rw\nredis.register_function{function_name='rwfunc', callback=function(keys, args) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}"
            fcall rwfunc 1 k
            function list libraryname
            function list bogus
            function list withcode withcode
            function stats
            function load "redis.register_function('x', function() end)"
            function load "#!lua"
            function load "#!lua name=a name=b\nreturn 1"
            function load "#!lua foo=bar\nreturn 1"
            function load "#!python name=p\nreturn 1"
            function load "#!lua name=bad-name\nreturn 1"
            function load "#!lua name=empty\nreturn 1"
            function load "#!lua name=err\nerror('boom')"
            function load "#!lua name=err\nredis.register_function()"
            function load "#!lua name=err\nredis.register_function('a')"
            function load "#!lua name=err\nredis.register_function('a', 'b')"
            function load "#!lua name=err\nredis.register_function(1, function() end)"
            function load "#!lua name=err\nredis.register_function('bad-name', function() end)"
            function load "#!lua name=err\nredis.register_function('a', function() end) redis.register_function('a', function() end)"
            function load "#!lua name=err\nredis.register_function{function_name='a'}"
            function load "#!lua name=err\nredis.register_function{callback=function() end}"
            function load "#!lua name=err\nredis.register_function{function_name='a', callback=function() end, flags={'bad'}}"
            function load "#!lua name=err\nredis.register_function{function_name='a', callback=function() end, flags='x'}"
            function load "#!lua name=err\nredis.register_function{function_name='a', callback=function() end, foo=1}"
            function load "#!lua name=err\nredis.register_function{function_name='a', callback=1}"
            function load "#!lua name=err\nredis.register_function('a')"
            function load "#!lua name=err\nredis.call('ping')"
            function load "#!lua name=err\nlocal x = string.len('a')"
            function load "#!lua name=err\nreturn 1 +"
            function load "#!lua name=err\nx = 1"
            function load "#!lua name=logger\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('lf', function() return redis.REDIS_VERSION end)"
            fcall lf 0
            function load "#!lua name=g\nredis.register_function('gf', function(keys, args) return KEYS end)"
            fcall gf 0
            function load "#!lua name=e\nredis.register_function('ef', function(keys, args) return redis.call('incr', keys[1]) end)"
            set str abc
            fcall ef 1 str
            function load "#!lua name=e2\nredis.register_function('ef2', function(keys, args) error('oops') end)"
            fcall ef2 0
            function delete nosuch
            function delete e2
            fcall ef2 0
            function kill
            function restore bogus
            function restore bogus x
            function help
            function stats
            function flush foo
            function flush async
            fcall myfunc 0
            """#
        try Self.expectSameReplies(session, ours, theirs)
    }
}
