#include "office_profile.hpp"

#include <fstream>
#include <stdexcept>
#include <vector>

namespace mugaika::office {
namespace {

struct Setting {
    const char* path;    // the configuration group, e.g. /org.openoffice.Office.Common/Security/Scripting
    const char* name;
    const char* type;    // xs:int, xs:boolean, xs:string
    const char* value;
    const char* why;
};

// Each line closes one door. The sandbox (no network, read-only root, seccomp) is the wall behind it.
const std::vector<Setting>& settings() {
    static const std::vector<Setting> s{
        // Macros: never run, whatever the document asks (LibreOfficeKit also loads with
        // EnableMacrosExecution=false, i.e. MacroExecMode NEVER_EXECUTE).
        {"/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", "3", "very high: only trusted locations, and there are none"},
        {"/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "xs:boolean", "true", "no macro runs at all"},
        {"/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "xs:boolean", "true", "no linked resource is fetched on a document's behalf"},
        // VBA in binary Office files is not even loaded, so it cannot be written into the result.
        {"/org.openoffice.Office.Writer/Filter/Import/VBA", "Load", "xs:boolean", "false", "Word VBA not loaded"},
        {"/org.openoffice.Office.Writer/Filter/Import/VBA", "Executable", "xs:boolean", "false", "Word VBA never executable"},
        {"/org.openoffice.Office.Writer/Filter/Import/VBA", "Save", "xs:boolean", "false", "Word VBA never written back"},
        {"/org.openoffice.Office.Calc/Filter/Import/VBA", "Load", "xs:boolean", "false", "Excel VBA not loaded"},
        {"/org.openoffice.Office.Calc/Filter/Import/VBA", "Executable", "xs:boolean", "false", "Excel VBA never executable"},
        {"/org.openoffice.Office.Calc/Filter/Import/VBA", "Save", "xs:boolean", "false", "Excel VBA never written back"},
        {"/org.openoffice.Office.Impress/Filter/Import/VBA", "Load", "xs:boolean", "false", "PowerPoint VBA not loaded"},
        {"/org.openoffice.Office.Impress/Filter/Import/VBA", "Save", "xs:boolean", "false", "PowerPoint VBA never written back"},
        // Links and external data: never updated (Writer: 0 = never; Calc: 1 = never).
        {"/org.openoffice.Office.Writer/Content/Update", "Link", "xs:int", "0", "Writer never updates links (DDE, linked sections, OLE links)"},
        {"/org.openoffice.Office.Calc/Content/Update", "Link", "xs:int", "1", "Calc never updates external links or DDE"},
        // Spreadsheets keep their stored results: no recalculation that could call WEBSERVICE & co.
        {"/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "xs:int", "1", "never recalculate OOXML/xls on load"},
        {"/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "xs:int", "1", "never recalculate ODF on load"},
        // No lock files next to the input (the input folder is the converter's own anyway).
        {"/org.openoffice.Office.Common/Misc", "UseLocking", "xs:boolean", "false", "no lock files"},
        {"/org.openoffice.Office.Common/Misc", "UseDocumentOOoLockFile", "xs:boolean", "false", "no .~lock files"},
        {"/org.openoffice.Office.Common/Misc", "UseDocumentSystemFileLocking", "xs:boolean", "false", "no fcntl locks"},
        {"/org.openoffice.Office.Common/Misc", "UseOpenCL", "xs:boolean", "false", "no GPU probing"},
        // Network: a proxy that refuses everything, behind the sandbox's empty network namespace.
        {"/org.openoffice.Inet/Settings", "ooInetProxyType", "xs:int", "1", "manual proxy"},
        {"/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "xs:string", "127.0.0.1", "nothing listens there"},
        {"/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "xs:int", "1", "tcpmux: refused"},
        {"/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "xs:string", "127.0.0.1", "nothing listens there"},
        {"/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "xs:int", "1", "tcpmux: refused"},
        {"/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "xs:string", "127.0.0.1", "nothing listens there"},
        {"/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "xs:int", "1", "tcpmux: refused"},
        {"/org.openoffice.Inet/Settings", "ooInetNoProxy", "xs:string", "", "no exceptions"},
        // No recovery or backup copies of someone else's document in the profile.
        {"/org.openoffice.Office.Recovery/AutoSave", "Enabled", "xs:boolean", "false", "no autosave"},
        {"/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "xs:boolean", "false", "no recovery data"},
        {"/org.openoffice.Office.Common/Save/Document", "CreateBackup", "xs:boolean", "false", "no backup copies"},
    };
    return s;
}

}  // namespace

std::string profile_settings_xcu() {
    std::string x =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
    for (const auto& s : settings())
        x += std::string("<item oor:path=\"") + s.path + "\"><prop oor:name=\"" + s.name + "\" oor:op=\"fuse\"><value>" +
             s.value + "</value></prop></item>\n";
    // LibreOfficeKit shows every document in a view; Calc's view asks for its formula bar, whose UI
    // definition (modules/scalc/ui/inputbar.ui) Debian's -nogui packages do not ship: with the bar
    // visible, every spreadsheet fails to load ("loadComponentFromURL returned an empty reference").
    // Hidden (child window 26100, FID_INPUTLINE_STATUS), Calc loads. docs/legacy.md has the story.
    x += "<item oor:path=\"/org.openoffice.Office.Views/Windows\"><node oor:name=\"scalc/26100\" oor:op=\"replace\">"
         "<node oor:name=\"UserData\"><prop oor:name=\"Data\" oor:op=\"fuse\" oor:type=\"xs:string\"><value>V2,H,0</value>"
         "</prop></node></node></item>\n";
    x += "</oor:items>\n";
    return x;
}

void write_profile(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "user");
    std::ofstream f(dir / "user" / "registrymodifications.xcu", std::ios::binary | std::ios::trunc);
    f << profile_settings_xcu();
    if (!f.flush()) throw std::runtime_error("cannot write the LibreOffice profile in " + dir.string());
}

}  // namespace mugaika::office
