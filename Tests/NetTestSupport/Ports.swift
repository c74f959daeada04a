import Net

/// Ports for tests that Node writes with `common.PORT`.
public enum Ports {
    /// A port that was free a moment ago: a probe server listened on port 0 and closed. Call it on the
    /// loop thread of the scenario that will use the port.
    public static func recentlyFree() -> Int {
        let probe = Net.createServer()
        _ = try? probe.listen(port: 0)
        let port = probe.address()?.port ?? 0
        probe.close()
        return port
    }
}
