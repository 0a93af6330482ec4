#include <doctest/doctest.h>
#include "mugaika/engine.hpp"
TEST_CASE("engine builds") { mugaika::Engine e(mugaika::builtin_registry(), mugaika::Policy::defaults()); CHECK(e.process("hello\n", "a.txt").verdict == mugaika::Verdict::released); }
