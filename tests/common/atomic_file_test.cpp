#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "fixtures.hpp"
#include "mugaika/atomic_file.hpp"

using namespace mugaika;
using namespace mugaika::test;

TEST_CASE("atomic file: written whole, never overwriting, no temp file left") {
    TempDir dir;
    auto a = write_new_file(dir.path, "報告.txt", "first");
    auto b = write_new_file(dir.path, "報告.txt", "second");
    auto c = write_new_file(dir.path, "報告.txt", "third");
    CHECK(a.filename() == "報告.txt");
    CHECK(b.filename() == "報告 (2).txt");
    CHECK(c.filename() == "報告 (3).txt");
    CHECK(read_whole(a) == "first");
    CHECK(read_whole(b) == "second");
    auto files = files_in(dir.path);
    CHECK(files.size() == 3);
    for (const auto& f : files) CHECK_FALSE(f.filename().string().starts_with(".mugaika-tmp"));
}

TEST_CASE("atomic file: concurrent writers of one name each get their own file") {
    TempDir dir;
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] { write_new_file(dir.path, "same.txt", std::to_string(i)); });
    for (auto& t : threads) t.join();
    auto files = files_in(dir.path);
    REQUIRE(files.size() == 8);
    std::set<std::string> contents;
    for (const auto& f : files) contents.insert(read_whole(f));
    CHECK(contents.size() == 8);
}

TEST_CASE("atomic file: numbered names, replace, read limits and errors") {
    CHECK(numbered_name("a.txt", 1) == "a.txt");
    CHECK(numbered_name("a.txt", 2) == "a (2).txt");
    CHECK(numbered_name("noext", 3) == "noext (3)");
    TempDir dir;
    replace_file(dir.path, "state", "1");
    replace_file(dir.path, "state", "2");
    CHECK(read_whole(dir / "state") == "2");
    CHECK(read_file(dir / "state", 10) == "2");
    write_file(dir / "big", std::string(100, 'x'));
    CHECK_THROWS_AS(read_file(dir / "big", 10), std::length_error);
    CHECK_THROWS_AS(write_new_file(dir / "missing", "a", "b"), std::system_error);
    CHECK(sha256_file(dir / "state") == "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35");
}

TEST_CASE("atomic file: a name that is not one plain file name is refused, nothing is written") {
    mugaika::test::TempDir t;
    std::filesystem::create_directories(t / "out");
    for (std::string name : {std::string("../escape.txt"), std::string("/etc/escape.txt"), std::string("a/b.txt"),
                             std::string(""), std::string("."), std::string(".."), std::string("x\0y", 3)}) {
        CAPTURE(name);
        CHECK_THROWS_AS(mugaika::write_new_file(t / "out", name, "bytes"), std::system_error);
    }
    CHECK(std::filesystem::is_empty(t / "out"));
    CHECK_FALSE(std::filesystem::exists(t / "escape.txt"));
}
