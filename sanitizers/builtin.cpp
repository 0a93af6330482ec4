// Every sanitizer built into this binary. A new format adds one line here.
#include "archive/archive_sanitizer.hpp"
#include "csv/csv_sanitizer.hpp"
#include "image/image_sanitizer.hpp"
#include "html/html_sanitizer.hpp"
#include "legacy/legacy_sanitizer.hpp"
#include "mail/mail_sanitizer.hpp"
#include "mugaika/registry.hpp"
#include "ooxml/ooxml_sanitizer.hpp"
#include "pdf/pdf_sanitizer.hpp"
#include "text/text_sanitizer.hpp"
#include "xml/xml_sanitizer.hpp"

namespace mugaika {

Registry builtin_registry() {
    Registry r;
    r.add(make_text_sanitizer());
    r.add(make_csv_sanitizer());
    r.add(make_ooxml_sanitizer());
    r.add(make_pdf_sanitizer());
    r.add(make_mail_sanitizer());
    r.add(make_archive_sanitizer());
    r.add(make_compressed_sanitizer());
    r.add(make_image_sanitizer());
    r.add(make_legacy_sanitizer());
    r.add(make_html_sanitizer());
    r.add(make_xml_sanitizer());
    return r;
}

}  // namespace mugaika
