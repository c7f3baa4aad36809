import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Scripting")
struct ScriptingTests {
    let clock = ManualClock()

    /// A session as a front end holds one (it may wait; late replies are collected).
    typealias Client = BlockingTests.Waiter

    /// Resumes a suspended script as the host's timer does, slice by slice,
    /// until it ends (at most 10,000 slices: a script that will not end fails the test).
    func resumeUntilEnd(_ engine: Engine) {
        var turns = 0
        while engine.hasSuspendedScript && turns < 10000 {
            engine.resumeScript()
            turns += 1
        }
        #expect(!engine.hasSuspendedScript, "the script did not end")
    }

    @Test func aScriptThatRunsPastTheThresholdIsSuspendedOthersGetBusyAndScriptKillStopsIt() {
        let engine = Engine(clock: clock)
        engine.busyReplyThreshold = 1
        let caller = Client(engine), other = Client(engine)
        #expect(caller.run(engine, "EVAL \"local i = 0 while true do i = i + 1 end\" 0") == nil)
        #expect(engine.hasSuspendedScript)
        #expect(other.run(engine, "GET x") == Engine.busyScriptError)
        #expect(other.run(engine, "FUNCTION KILL") != .ok)
        #expect(other.run(engine, "SCRIPT KILL") == .ok)
        resumeUntilEnd(engine)
        #expect(caller.replies.count == 1)
        guard case .error(let text) = caller.replies.first else { Issue.record("no error: \(caller.replies)"); return }
        #expect(text.hasPrefix("ERR Script killed by user with SCRIPT KILL..."))
        #expect(other.run(engine, "SCRIPT KILL") == .error("NOTBUSY No scripts in execution right now."))
        #expect(other.run(engine, "EVAL \"return 7\" 0") == .integer(7))
    }

    @Test func scriptKillStopsAScriptThatLoopsInsidePcall() {
        let engine = Engine(clock: clock)
        engine.busyReplyThreshold = 1
        let caller = Client(engine), other = Client(engine)
        let script = "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end"
        #expect(caller.run(engine, "EVAL \"\(script)\" 0") == nil)
        #expect(engine.hasSuspendedScript)
        #expect(other.run(engine, "PING") == Engine.busyScriptError)
        #expect(other.run(engine, "SCRIPT KILL") == .ok)
        resumeUntilEnd(engine)
        #expect(!engine.hasSuspendedScript)
        #expect(caller.replies.count == 1, "\(caller.replies)")
        guard case .error(let text) = caller.replies.first else { Issue.record("no error: \(caller.replies)"); return }
        #expect(text.hasPrefix("ERR Script killed by user with SCRIPT KILL..."))
    }
}

extension ScriptingTests {
    @Test func aLibraryRegistersFunctionsThatFcallRunsWithKeysAndArguments() {
        let engine = Engine(clock: clock)
        let library = "#!lua name=lib\nredis.register_function('setget', function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end)\nredis.register_function{function_name='reader', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}"
        #expect(engine.execute(["FUNCTION", "LOAD", Bytes(library)]) == .bulk("lib"))
        #expect(engine.run("FCALL setget 1 k v") == .bulk("v"))
        #expect(engine.run("FCALL_RO reader 1 k") == .bulk("v"))
        #expect(engine.run("FCALL_RO setget 1 k v") == .error("ERR Can not execute a script with write flag using *_ro command."))
        #expect(engine.run("FCALL nosuch 0") == .error("ERR Function not found"))
        // A library that fails to load leaves the old one in place.
        #expect(engine.execute(["FUNCTION", "LOAD", "REPLACE", "#!lua name=lib\nerror('no')"]).isError)
        #expect(engine.run("FCALL_RO reader 1 k") == .bulk("v"))
        // While loading, only redis.register_function, redis.log and the version are there.
        guard case .error(let text) = engine.execute(["FUNCTION", "LOAD", "#!lua name=other\nredis.call('ping')"]) else {
            Issue.record("redis.call ran while loading"); return
        }
        #expect(text.hasPrefix("ERR Error registering functions:"))
        #expect(engine.run("FUNCTION DELETE lib") == .ok)
        #expect(engine.run("FCALL setget 1 k v") == .error("ERR Function not found"))
    }

    @Test func aLibraryThatLoopsWhileLoadingIsStoppedAfterHalfASecond() {
        let engine = Engine(clock: clock)
        let started = ContinuousClock.now
        let reply = engine.execute(["FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end"])
        #expect(reply == .error("ERR Error registering functions: ERR FUNCTION LOAD timeout"))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(engine.run("FUNCTION LIST") == .array([]))
    }

    @Test func aFunctionThatRunsLongIsKilledWithFunctionKillNotScriptKill() {
        let engine = Engine(clock: clock)
        engine.busyReplyThreshold = 1
        #expect(engine.execute(["FUNCTION", "LOAD", "#!lua name=loop\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}"]) == .bulk("loop"))
        let caller = Client(engine), other = Client(engine)
        #expect(caller.run(engine, "FCALL_RO spin 0") == nil)
        #expect(other.run(engine, "GET x") == Engine.busyFunctionError)
        #expect(other.run(engine, "SCRIPT KILL") == Engine.busyFunctionError)
        guard case .map(let stats) = other.run(engine, "FUNCTION STATS"), case .map(let running) = stats[1] else {
            Issue.record("FUNCTION STATS"); return
        }
        #expect(running[1] == .bulk("spin"))
        #expect(other.run(engine, "FUNCTION KILL") == .ok)
        resumeUntilEnd(engine)
        #expect(caller.replies.count == 1)
        #expect(caller.replies.first?.isError == true)
    }
}

extension ScriptingTests {
    /// Hostile nesting never takes the engine down: a table that holds
    /// itself returned as the reply, a MessagePack string of 100,000
    /// nested arrays, a chain of 5,000 tables packed.
    @Test func selfReferencingAndDeeplyNestedValuesEndInErrorsNotCrashes() {
        let engine = Engine(clock: clock)
        var reply = engine.run(#"EVAL "local a = {}; local b = {a}; a[1] = b; return a" 0"#)
        var depth = 0
        while case .array(let inner) = reply, inner.count == 1 {
            reply = inner[0]
            depth += 1
        }
        #expect(reply == .error("ERR reached lua stack limit") && depth > 100, "nested arrays, then the error, as Redis's")
        guard case .error(let text) = engine.run(#"EVAL "return cmsgpack.unpack(string.rep(string.char(0x91), 100000) .. string.char(1))" 0"#) else {
            Issue.record("no error"); return
        }
        #expect(text.contains("stack overflow (in function mp_decode_to_lua_array)"))
        guard case .bulk(let packed) = engine.run(#"EVAL "local t = {} local c = t for i = 1, 5000 do c[1] = {} c = c[1] end return cmsgpack.pack(t)" 0"#) else {
            Issue.record("no packing"); return
        }
        #expect(packed.array.suffix(1) == [0xC0], "nesting past 16 is packed as nil")
        #expect(engine.run("PING") == .status("PONG"))
    }
}
