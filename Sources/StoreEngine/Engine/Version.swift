/// redi's version, printed by `redi --version` and written into snapshots.
public let rediVersion = "0.1.0"
