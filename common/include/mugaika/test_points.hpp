// Crash points and injected faults for the fault tests (kill -9 at a precise step, a disk that fills
// up). They exist only in builds made with the tests (MUGAIKA_BUILD_TESTS: MUGAIKA_TEST_HOOKS is
// defined for this library), and even there do nothing unless MUGAIKA_TEST_HOOKS=1 is set in the
// environment. Release builds compile them to empty functions.
//
//   MUGAIKA_TEST_KILL_AT=<point>[#n]   the process SIGKILLs itself the n-th time (default 1st) it passes <point>
//   MUGAIKA_TEST_FAULTS=<file>         while <file> exists, each line "<point>=<errno name>" (ENOSPC, EIO)
//                                      makes injected_error(<point>) return that error
#pragma once

#include <string_view>

namespace mugaika::test_points {

void crash_point(std::string_view point);
// 0, or the errno the test asked this point to fail with.
int injected_error(std::string_view point);

}  // namespace mugaika::test_points
