// Node: test/parallel/test-net-autoselectfamily-attempt-timeout-default-value.js
import Net
import NetTestSupport
import Testing

/// The default attempt timeout. Node's test asserts `platformTimeout(2500)`, the value its test runner
/// passes with `--network-family-autoselection-attempt-timeout`; without that flag Node v20's default is
/// 250 ms (checked with node v20.20.2), which is Net's.
@Suite struct AutoselectfamilyAttemptTimeoutDefaultValueTests {
    @Test func defaultAttemptTimeoutIs250() {
        Lookups.autoSelectDefaults.withLock { _ in
            #expect(getDefaultAutoSelectFamilyAttemptTimeout() == 250)
            #expect(getDefaultAutoSelectFamily() == true)
        }
    }
}
