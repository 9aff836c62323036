package io.xdevfs.tests;

/** RealProgramsIT with --dispatch multi: xdevfs's pool of request threads under real programs' concurrency. */
@MountLines(value = {}, args = {"--dispatch", "multi"})
class MultiDispatchRealProgramsIT extends RealProgramsIT {
}
