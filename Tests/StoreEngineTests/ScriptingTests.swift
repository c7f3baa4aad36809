import Foundation
@testable import StoreEngine
import StoreEngineTestSupport
import Testing

@Suite("Scripting")
struct ScriptingTests {
    let clock = ManualClock()

    /// A session as a front end holds one (it may wait; late replies are collected).
    typealias Client = BlockingTests.Waiter

    @Test func aScriptThatRunsPastTheThresholdIsSuspendedOthersGetBusyAndScriptKillStopsIt() {
        let engine = Engine(clock: clock)
        engine.busyReplyThreshold = 1
        let caller = Client(engine), other = Client(engine)
        #expect(caller.run(engine, "EVAL \"local i = 0 while true do i = i + 1 end\" 0") == nil)
        #expect(engine.hasSuspendedScript)
        #expect(other.run(engine, "GET x") == Engine.busyScriptError)
        #expect(other.run(engine, "FUNCTION KILL") != .ok)
        #expect(other.run(engine, "SCRIPT KILL") == .ok)
        var turns = 0
        while engine.hasSuspendedScript && turns < 1000 {
            engine.resumeScript()
            turns += 1
        }
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
        var turns = 0
        while engine.hasSuspendedScript && turns < 10000 {
            engine.resumeScript()
            turns += 1
        }
        #expect(!engine.hasSuspendedScript)
        #expect(caller.replies.count == 1, "\(caller.replies)")
        guard case .error(let text) = caller.replies.first else { Issue.record("no error: \(caller.replies)"); return }
        #expect(text.hasPrefix("ERR Script killed by user with SCRIPT KILL..."))
    }
}
