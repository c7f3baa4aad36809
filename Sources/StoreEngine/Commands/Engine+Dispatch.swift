/// Joins each command in the table to its implementation.
extension Engine {
    typealias Handler = @Sendable (Engine, [Bytes]) -> Reply

    /// A command as the dispatcher needs it: a class, so that finding one
    /// costs a single reference count, not a copy of its whole spec.
    final class Entry: Sendable {
        let spec: CommandSpec
        let run: Handler

        init(spec: CommandSpec, run: @escaping Handler) {
            self.spec = spec
            self.run = run
        }
    }

    /// The implementation of every command in `Resources/commands.json`, by lower-case name.
    static let implementations: [String: Handler] = [
        "append": { $0.append($1) }, "bitcount": { $0.bitcount($1) }, "copy": { $0.copy($1) },
        "getbit": { $0.getbit($1) }, "incrbyfloat": { $0.incrbyfloat($1) }, "lcs": { $0.lcs($1) }, "memory": { $0.memory($1) },
        "object": { $0.object($1) }, "setbit": { $0.setbit($1) }, "substr": { $0.substr($1) }, "time": { $0.time($1) }, "bgsave": { $0.bgsave($1) }, "dbsize": { $0.dbsize($1) },
        "debug": { $0.debug($1) }, "decr": { $0.decr($1) }, "decrby": { $0.decrby($1) },
        "del": { $0.del($1) }, "echo": { $0.echo($1) }, "exists": { $0.exists($1) },
        "exit": { $0.quit($1) }, "expire": { $0.expire($1) }, "expireat": { $0.expireat($1) },
        "expiretime": { $0.expiretime($1) }, "flushall": { $0.flushall($1) }, "flushdb": { $0.flushdb($1) },
        "get": { $0.get($1) }, "getdel": { $0.getdel($1) }, "getex": { $0.getex($1) },
        "getrange": { $0.getrange($1) }, "getset": { $0.getset($1) }, "help": { $0.help($1) },
        "incr": { $0.incr($1) }, "incrby": { $0.incrby($1) }, "keys": { $0.keys($1) },
        "lastsave": { $0.lastsave($1) }, "mget": { $0.mget($1) }, "mset": { $0.mset($1) },
        "msetnx": { $0.msetnx($1) }, "persist": { $0.persist($1) }, "pexpire": { $0.pexpire($1) },
        "pexpireat": { $0.pexpireat($1) }, "pexpiretime": { $0.pexpiretime($1) }, "ping": { $0.ping($1) },
        "psetex": { $0.psetex($1) }, "pttl": { $0.pttl($1) }, "quit": { $0.quit($1) },
        "move": { $0.move($1) }, "randomkey": { $0.randomkey($1) }, "rename": { $0.rename($1) }, "renamenx": { $0.renamenx($1) },
        "save": { $0.save($1) }, "scan": { $0.scan($1) }, "select": { $0.selectCommand($1) }, "set": { $0.set($1) },
        "setex": { $0.setex($1) }, "setnx": { $0.setnx($1) }, "setrange": { $0.setrange($1) },
        "strlen": { $0.strlen($1) }, "swapdb": { $0.swapdb($1) }, "touch": { $0.exists($1) }, "ttl": { $0.ttl($1) },
        "type": { $0.type($1) }, "unlink": { $0.del($1) },
    ]

    /// The table the engine dispatches through. Commands a network server
    /// answers (flag `network`) say so when typed at the prompt or in the UI.
    static let dispatch = CommandNameTable(CommandTable.all.map { spec in
        let name = spec.name.lowercased()
        if let run = implementations[name] { return (name, Entry(spec: spec, run: run)) }
        guard spec.flags.contains("network") else {
            preconditionFailure("command \(spec.name) is in commands.json but has no implementation")
        }
        return (name, Entry(spec: spec) { _, _ in
            .error("ERR \(spec.name) is for network clients: start redi with --port and use redis-cli")
        })
    })
}

