import StoreEngine
import StoreEngineTestSupport
import Testing

/// Scripts on redi and on redis-server 7.0, reply by reply.
extension RedisDifferentialTests {
    /// EVAL's conversions both ways (RESP2 and RESP3 scripts and callers),
    /// its errors and their positions, the sandbox (read-only globals and
    /// libraries, no loadfile, dofile, print, os, io, debug), pcall,
    /// cjson, bit, math.random's sequence, shebang flags, EVAL_RO,
    /// EVALSHA, SCRIPT LOAD, EXISTS, FLUSH and KILL.
    @Test(arguments: [2, 3])
    func scriptRepliesMatch(protocolVersion: Int) throws {
        let (ours, theirs) = try both()
        if protocolVersion == 3 {
            _ = try ours.send(["HELLO", "3"])
            _ = try theirs.send(["HELLO", "3"])
        }
        let session = #"""
            eval "return 'hello'" 0
            eval "return 100.5" 0
            eval "return -3.9" 0
            eval "return true" 0
            eval "return false" 0
            eval "return nil" 0
            eval "return {1,2,3,'ciao',{1,2}}" 0
            eval "return {1,2,nil,4}" 0
            eval "return {err='My Error'}" 0
            eval "return {ok='fine'}" 0
            eval "return redis.error_reply('My Error')" 0
            eval "return redis.error_reply('-WRONG My Error')" 0
            eval "return redis.status_reply('STATUS')" 0
            eval "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}" 2 a b c d
            eval "return redis.call('set',KEYS[1],'bar')" 1 mykey
            eval "return redis.call('get',KEYS[1])" 1 mykey
            eval "return redis.call('incr',KEYS[1])" 1 counter
            eval "return redis.call('get','nokey')" 0
            eval "return redis.call('lrange','nolist',0,-1)" 0
            eval "return redis.call('ping')" 0
            eval "return redis.pcall('incr','mykey')" 0
            eval "return redis.call('incr','mykey')" 0
            eval "return redis.call('nosuchcommand')" 0
            eval "return redis.call('get')" 0
            eval "return redis.call()" 0
            eval "return redis.pcall()" 0
            eval "return redis.call('get',{})" 0
            eval "return redis.call('subscribe','x')" 0
            eval "return redis.call('eval','return 1',0)" 0
            eval "return redis.call('object')" 0
            eval "return redis.call('object','nosuch','x')" 0
            eval "return redis.call('blpop','empty_list',0)" 0
            eval "return redis.pcall('blpop','empty_list',0)" 0
            eval "x = 1" 0
            eval "return a" 0
            eval "return _G.a" 0
            eval "setmetatable(_G, {})" 0
            eval "local g = getmetatable(_G); g.__index = {}" 0
            eval "redis = function() return 1 end" 0
            eval "_G = {}" 0
            eval "redis.call = function() return 1 end" 0
            eval "cjson.encode = function() return 1 end" 0
            eval "bit.band = function() return 1 end" 0
            eval "loadfile('x')" 0
            eval "dofile('x')" 0
            eval "print('x')" 0
            eval "os.exit()" 0
            eval "return type(io)" 0
            eval "return debug" 0
            eval "error('oops')" 0
            eval "error({err='CUSTOM oops'})" 0
            eval "error()" 0
            eval "local a = nil; return a.b" 0
            eval "return 1 +" 0
            eval "return pcall(function() error('x') end)" 0
            eval "local ok, e = pcall(function() redis.call('nosuch') end); return e" 0
            eval "local ok, e = pcall(redis.call, 'nosuch'); return e" 0
            eval "return {pcall(error, 'z')}" 0
            eval "return redis.sha1hex('')" 0
            eval "return redis.sha1hex('Pizza & Mandolino')" 0
            eval "return redis.sha1hex()" 0
            eval "return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')" 0
            eval "return cjson.encode({a=1})" 0
            eval "local d = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}'); return {d.keya, d.keyb}" 0
            eval "return {bit.tobit(1), bit.band(1), bit.bxor(1,2), bit.bor(1,2,4,8,16,32,64,128)}" 0
            eval "return tostring(math.random())" 0
            eval "return math.random(10)" 0
            eval "return math.random(5,8)" 0
            eval "math.randomseed(42); return {math.random(100), math.random(100)}" 0
            eval "return redis.REDIS_VERSION" 0
            eval "return redis.REDIS_VERSION_NUM" 0
            eval "redis.setresp(3); return redis.call('hgetall', 'nohash')" 0
            eval "return {double=3.14}" 0
            eval "return {map={a=1}}" 0
            eval "return {set={a=true}}" 0
            eval "return {big_number='123456789012345678901234567890'}" 0
            eval "return {verbatim_string={format='txt', string='hi there'}}" 0
            eval "redis.setresp(3); return true" 0
            eval "redis.setresp(3); return false" 0
            eval "redis.setresp(4)" 0
            eval "return redis.setresp()" 0
            eval "redis.call('select', 1); return redis.call('set','k','v')" 0
            get k
            eval "return redis.call('type', 'mykey')" 0
            eval_ro "return redis.call('get','mykey')" 0
            eval_ro "return redis.call('set','mykey','x')" 0
            eval "#!lua flags=no-writes\nreturn redis.call('set','x','y')" 0
            eval_ro "#!lua\nreturn 1" 0
            eval "#!python\nreturn 1" 0
            eval "#!lua foo=bar\nreturn 1" 0
            eval "#!lua flags=bad\nreturn 1" 0
            eval "#!lua" 0
            eval "return 1" -1
            eval "return 1" 2 a
            eval "return 1" x
            evalsha ffffffffffffffffffffffffffffffffffffffff 0
            evalsha abc 0
            script load "return 'loaded'"
            evalsha 2d8cc83cd9b6b9f2fd96e3b3a1d18ff8cfc08b43 0
            script exists 2d8cc83cd9b6b9f2fd96e3b3a1d18ff8cfc08b43 ffffffffffffffffffffffffffffffffffffffff
            script flush
            script exists 2d8cc83cd9b6b9f2fd96e3b3a1d18ff8cfc08b43
            script flush nope
            script kill
            script nosuch
            eval "return redis.call('hset','h','a','1','b','2')" 0
            eval "return redis.call('hgetall','h')" 0
            eval "redis.setresp(3); return redis.call('hgetall','h')" 0
            eval "redis.setresp(3); return redis.call('smembers','nos')" 0
            eval "redis.setresp(3); return redis.call('zscore','nozset','a')" 0
            eval "redis.call('zadd','z',1.5,'a'); return redis.call('zscore','z','a')" 0
            eval "redis.setresp(3); return redis.call('zscore','z','a')" 0
            eval "return redis.call('set', 'n', 0.1)" 0
            eval "return redis.call('get', 'n')" 0
            eval "return redis.call('set', 'n', 1e300)" 0
            eval "return 1e300" 0
            eval "return 0/0" 0
            eval "return {1,{2,{3,{4}}}}" 0
            eval "local t = setmetatable({}, {__index=function() error('boom') end}); return t" 0
            eval "return redis.log()" 0
            eval "return redis.log('x', 'y')" 0
            eval "return redis.log(9, 'y')" 0
            eval "return redis.replicate_commands()" 0
            eval "redis.set_repl(redis.REPL_ALL); return 1" 0
            eval "redis.set_repl(99)" 0
            eval "return math.random(0)" 0
            eval "return coroutine.wrap(function() coroutine.yield(5) end)()" 0
            eval "return _VERSION" 0
            eval "return tostring(getmetatable(redis))" 0
            eval "return string.format('%d', 5)" 0
            eval "return ('x'):rep(3)" 0
            eval "return #KEYS" 3 a b c
            eval "KEYS[1] = 'z'; return KEYS[1]" 1 a
            eval "return {pcall(function() return 1, nil, 3 end)}" 0
            eval "local a, b, c, d = pcall(function() return 1, nil, 3 end); return {tostring(a), tostring(b), tostring(c), tostring(d)}" 0
            eval "return {pcall(function() error({err='ERR inner'}) end)}" 0
            eval "return {pcall(function() redis.call('incr', 'h') end)}" 0
            eval "return {pcall(function() local x = nil; return x.y end)}" 0
            eval "return {pcall(42)}" 0
            eval "return {pcall()}" 0
            eval "local ok, e = pcall(function() coroutine.yield(1) end); return {tostring(ok), e}" 0
            eval "return {xpcall(function() error('a') end, function(e) return 'handled ' .. e end)}" 0
            eval "return select('#', pcall(function() return end))" 0
            eval "return pcall(function() return pcall(function() error('deep') end) end)" 0
            eval "local t = {} for i=1,100 do t[i] = i end return t" 0
            eval "return redis.call('set', 'x', 'y', 'nx', 'px')" 0
            eval "redis.call('set','s','v'); return redis.call('lpush','s','a')" 0
            eval "return redis.pcall('lpush','s','a')" 0
            eval "return {err=123}" 0
            eval "return {ok=123}" 0
            eval "return {1, 'a', true, false, {ok='x'}, {err='y'}}" 0
            eval "redis.setresp(3); return {1, 'a', true, false, {ok='x'}, {err='y'}}" 0
            eval "return redis.call('debug', 'sleep', 0)" 0
            eval "return redis.call('multi')" 0
            eval "return redis.call('info', 'server') ~= nil" 0
            eval "return redis.call('publish', 'ch', 'x')" 0
            eval_ro "return redis.call('publish', 'ch', 'x')" 0
            eval "return redis.call('time')[1] ~= nil" 0
            eval "return cjson.encode({1,2,3})" 0
            eval "return cjson.encode({})" 0
            eval "return cjson.decode('null') == cjson.null" 0
            eval "return cjson.encode(cjson.decode('[1,null,3]'))" 0
            eval "return string.rep('x', 3, ',')" 0
            eval "return tostring(1/0)" 0
            eval "return unpack({1,2,3})" 0
            eval "return loadstring('return 5')()" 0
            eval "return gcinfo() > 0" 0
            eval "return newproxy ~= nil" 0
            eval "return type(getfenv)" 0
            eval "return next({})" 0
            """#
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// cmsgpack and struct, which redi writes itself: encodings chosen by
    /// value (integers in their smallest form, floats, arrays and maps,
    /// nesting cut at 16 levels), decoding errors, offsets and limits;
    /// struct's options, alignment, byte order and errors.
    @Test func messagePackAndStructMatch() throws {
        let (ours, theirs) = try both()
        let session = #"""
            eval "return cmsgpack.pack(0.1)" 0
            eval "return cmsgpack.pack(1.5)" 0
            eval "return cmsgpack.pack(-1099511627776)" 0
            eval "return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)" 0
            eval "return cmsgpack.pack('a', string.rep('x', 40), string.rep('y', 300), true, false, nil)" 0
            eval "return cmsgpack.pack({1,2,3}, {a=1}, {}, {[1]=1, [3]=3})" 0
            eval "local t = {} for i=1,20 do t[i] = i end return cmsgpack.pack(t)" 0
            eval "local a = {x=nil,y=5} local b = {x=a} a['x'] = b local encoded = cmsgpack.pack(a) local h = '' for i = 1, #encoded do h = h .. string.format('%02x',string.byte(encoded, i)) end return h" 0
            eval "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, -5, 0.25))}" 0
            eval "local t = cmsgpack.unpack(cmsgpack.pack({a='b', c={1,2}})) return {t.a, t.c[2]}" 0
            eval "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}" 0
            eval "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}" 0
            eval "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}" 0
            eval "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}" 0
            eval "return cmsgpack.unpack('\xc1')" 0
            eval "return cmsgpack.unpack('\xcd\x01')" 0
            eval "return cmsgpack.unpack_one('abc', 10)" 0
            eval "return cmsgpack.unpack_one('abc', -1)" 0
            eval "return cmsgpack.pack()" 0
            eval "return cmsgpack.unpack()" 0
            eval "return cmsgpack.unpack({})" 0
            eval "return tostring(cmsgpack.unpack(cmsgpack.pack(1/0)))" 0
            eval "return cmsgpack._VERSION" 0
            eval "return struct.pack('HB', 1, 2)" 0
            eval "return struct.pack('>I4<i2', 258, -2)" 0
            eval "return struct.pack('!4 b i', 1, 2)" 0
            eval "return struct.pack('s', 'abc')" 0
            eval "return struct.pack('c5', 'abcdefg')" 0
            eval "return struct.pack('c5', 'ab')" 0
            eval "return struct.pack('c0', 'ab')" 0
            eval "return struct.pack('d', 1.5)" 0
            eval "return struct.pack('>f', 1.5)" 0
            eval "return {struct.unpack('HB', struct.pack('HB', 1, 2))}" 0
            eval "return {struct.unpack('>i4', struct.pack('>i4', -7))}" 0
            eval "return {struct.unpack('b', '\xff')}" 0
            eval "return {struct.unpack('s', 'abc\0rest')}" 0
            eval "return {struct.unpack('s', 'abc')}" 0
            eval "return {struct.unpack('i', 'ab')}" 0
            eval "return {struct.unpack('B c0', '\x03abc')}" 0
            eval "return {struct.unpack('c0', 'abc')}" 0
            eval "return {struct.unpack('B', 'ab', 2)}" 0
            eval "return {struct.unpack('B', 'ab', 0)}" 0
            eval "return tostring(({struct.unpack('d', struct.pack('d', 1.25))})[1])" 0
            eval "return struct.size('i4 d !8 b')" 0
            eval "return struct.size('s')" 0
            eval "return struct.size('c0')" 0
            eval "return struct.pack('z', 1)" 0
            eval "return struct.pack('!3', 1)" 0
            eval "return struct.pack('i33', 1)" 0
            eval "return struct.pack('i', 'x')" 0
            eval "return struct.pack()" 0
            eval "return {struct.unpack('i16', struct.pack('i16', -1))}" 0
            eval "return struct.pack('I16', -1)" 0
            """#
        try Self.expectSameReplies(session, ours, theirs)
    }

    /// `min-replicas-to-write` (redi has no replicas: writes get NOREPLICAS)
    /// and `maxmemory` (past it, Redis's `noeviction`: OOM for commands
    /// that add data), for commands and for scripts by their flags.
    @Test func writeLimitsMatch() throws {
        let (ours, theirs) = try both()
        let session = #"""
            set x "some value"
            config set min-replicas-to-write 1
            eval "#!lua flags=no-writes\nreturn redis.call('get','x')" 1 x
            eval "return redis.call('get','x')" 1 x
            eval "#!lua\nreturn redis.call('set','x',1)" 1 x
            eval "return redis.call('set','x', 1)" 1 x
            set y 1
            get y
            config set min-replicas-to-write 0
            set y 3
            config get min-slaves-to-write
            config set maxmemory 1
            set a b
            get a
            del a
            eval "#!lua\nreturn 1" 0
            eval "#!lua flags=no-writes\nreturn 1" 0
            eval "#!lua flags=allow-oom\nreturn redis.call('set','x','y')" 1 x
            eval "return redis.call('set','x','y')" 1 x
            eval "return redis.pcall('get','x')" 1 x
            eval "return 1" 0
            config set maxmemory 0
            set a b
            config get maxmemory
            """#
        try Self.expectSameReplies(session, ours, theirs)
    }
}

extension RedisDifferentialTests {
    /// INFO's errorstats, commandstats and total_error_replies count as
    /// Redis's do: a command a script called counts where it failed or was
    /// refused, the script's error passing it on does not count twice.
    @Test func errorAndCommandStatisticsMatch() throws {
        let (ours, theirs) = try both()
        let session = #"""
            CONFIG RESETSTAT
            CONFIG SET maxmemory 1
            EVAL "return redis.call('set','x','y')" 1 x
            EVAL "return redis.pcall('set','x','y')" 1 x
            CONFIG SET maxmemory 0
            EVAL "local t = redis.pcall('select',99) return 1" 0
            EVAL_RO "return redis.call('set','x','y')" 1 x
            EVAL "return redis.error_reply('MY_ERR_CODE custom')" 0
            EVAL "return redis.status_reply('MY_OK')" 0
            NOSUCHCOMMAND
            GET
            SET k v
            INCR k
            """#
        try Self.expectSameReplies(session, ours, theirs)
        for section in ["errorstats", "stats"] {
            let (mine, redis) = (try ours.send(["INFO", Bytes(section)]), try theirs.send(["INFO", Bytes(section)]))
            let lines = { (reply: Reply) -> [String] in
                guard case .bulk(let text) = reply else { return [] }
                return text.description.split(separator: "\r\n").map(String.init).filter { $0.hasPrefix("errorstat_") || $0.hasPrefix("total_error_replies") }
            }
            #expect(lines(mine) == lines(redis), "\(section)")
        }
        let counters = { (reply: Reply) -> [String] in
            guard case .bulk(let text) = reply else { return [] }
            return text.description.split(separator: "\r\n").filter { $0.hasPrefix("cmdstat_") && !$0.hasPrefix("cmdstat_info") }
                .map { String($0).replacing(/usec=\d+,usec_per_call=[\d.]+,/, with: "") }.sorted()
        }
        #expect(counters(try ours.send(["INFO", "commandstats"])) == counters(try theirs.send(["INFO", "commandstats"])))
    }
}
