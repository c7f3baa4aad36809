import StoreEngine

/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT], after Redis's
/// `shutdownCommand`: the process saves as asked and exits; the client that
/// asked gets no reply (its connection closes with the process).
extension ServerState {
    func shutdown(_ words: [Bytes], _ call: ServerCall) -> Reply {
        var save = ShutdownSave.asConfigured
        var sawSave = false, sawNoSave = false, abort = false, other = false
        for word in words.dropFirst() {
            if word.equalsIgnoringCase("NOSAVE") {
                sawNoSave = true
                save = .never
            } else if word.equalsIgnoringCase("SAVE") {
                sawSave = true
                save = .always
            } else if word.equalsIgnoringCase("NOW") || word.equalsIgnoringCase("FORCE") {
                other = true
            } else if word.equalsIgnoringCase("ABORT") {
                abort = true
            } else {
                return .syntaxError
            }
        }
        if (abort && (sawSave || sawNoSave || other)) || (sawSave && sawNoSave) { return .syntaxError }
        // redi's shutdown does not wait for replicas: there is never one to abort.
        if abort { return .error("ERR No shutdown in progress.") }
        if save != .never, let busy = call.engine.busyScriptError { return busy }
        guard let onShutdown = settings.onShutdown else { return .error("ERR SHUTDOWN is not available here") }
        onShutdown(save)
        return .status("OK")
    }
}
