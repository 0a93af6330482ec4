// The test programs' main: doctest's own, plus one rule. A run asked for particular test cases
// (--test-case, as every CTest entry is) that finds none of them fails. CTest cuts a discovered
// name at each ';', and each half then matched no test case and passed without running anything:
// 49 test cases had silently never run before this rule (names must not contain ';').
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

namespace {

int g_selected = -1;   // test cases that passed the filters, from the last run (-1: no run)

// A listener only counts; doctest's console reporter still reports.
struct SelectionCounter : doctest::IReporter {
    explicit SelectionCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        g_selected = static_cast<int>(stats.numTestCasesPassingFilters);
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("selection_counter", 1, SelectionCounter);

bool asks_for_test_cases(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        for (std::string_view flag : {"--test-case=", "-tc=", "--dt-test-case=", "--dt-tc="})
            if (a.starts_with(flag)) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    int result = context.run();
    if (context.shouldExit()) return result;   // a query such as --list-test-cases
    if (result == 0 && asks_for_test_cases(argc, argv) && g_selected == 0) {
        std::fprintf(stderr, "no test case matches the --test-case filter: nothing ran (a ';' in a test name?)\n");
        return 1;
    }
    return result;
}
