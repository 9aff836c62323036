package io.xdevfs.tests;

/**
 * PosixOperationsIT with a pool of request threads (--dispatch multi): the request hook keeps per-thread
 * state between a request and its processing (OPEN, CREATE and its reply), which must hold when
 * several threads receive at once.
 */
@MountLines(value = {}, args = {"--dispatch", "multi"})
class MultiDispatchPosixOperationsIT extends PosixOperationsIT {
}
