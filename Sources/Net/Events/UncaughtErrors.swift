#if canImport(Glibc)
import Glibc
#endif

/// What reports an 'error' event nobody listens to on its thread: the thread's `EventLoop`, which
/// registers itself when made (see ``UncaughtErrors``).
protocol UncaughtErrorReporter: AnyObject {
    /// Reports `error` as Node reports an uncaught exception.
    func reportUncaughtError(_ error: NetError)
}

/// Where an unhandled 'error' goes: the reporter registered on the calling thread (its loop), or, on a
/// thread without one, Node's behaviour (print it, exit with status 1). This keeps the event emitter
/// free of the loop: the loop registers itself here.
enum UncaughtErrors {
    /// The thread-local slot holding the thread's reporter, unretained (the loop outlives its
    /// registration: it unregisters when it shuts down).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    /// Makes `reporter` the calling thread's (nil: none).
    static func register(_ reporter: (any UncaughtErrorReporter)?) {
        pthread_setspecific(key, reporter.map { Unmanaged.passUnretained($0 as AnyObject).toOpaque() })
    }

    /// Reports `error` to the calling thread's reporter, or prints it and exits.
    static func report(_ error: NetError) {
        if let slot = pthread_getspecific(key),
           let reporter = Unmanaged<AnyObject>.fromOpaque(slot).takeUnretainedValue() as? any UncaughtErrorReporter {
            reporter.reportUncaughtError(error)
        } else {
            printAndExit(error)
        }
    }

    /// Node's behaviour for an unhandled 'error' event: print it to standard error, exit with status 1.
    static func printAndExit(_ error: NetError) -> Never {
        fflush(nil)
        var text = "Unhandled 'error' event\n\n\(error.inspected)\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
        exit(1)
    }
}
