# Writes the configuration the Debian package installs as /etc/mugaika/mugaika.toml: config/mugaika.toml
# (the one commented source of every key) with its folders moved from ./var to their FHS places.
#   cmake -DIN=config/mugaika.toml -DOUT=build/packaging/mugaika.toml -P packaging/make_fhs_config.cmake
# A path under var/ that this table does not know stops the build: a new folder must get its place here.
cmake_minimum_required(VERSION 3.25)
file(READ "${IN}" text)

# Longest names first: var/quarantine-store before var/quarantine.
set(places
  "var/quarantine-store|/var/lib/mugaika/quarantine-store"
  "var/quarantine.db|/var/lib/mugaika/quarantine.db"
  "var/quarantine|/var/lib/mugaika/quarantine"
  "var/reports|/var/lib/mugaika/reports"
  "var/released|/var/lib/mugaika/released"
  "var/keys/|/var/lib/mugaika/keys/"
  "var/spool|/var/spool/mugaika"
  "var/audit/|/var/log/mugaika/"
  "var/in|/srv/mugaika/in"
  "var/out|/srv/mugaika/out"
  "var/mail|/srv/mugaika/mail")
foreach(place IN LISTS places)
  string(REPLACE "|" ";" pair "${place}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  # config/mugaika.toml names them relative to its own folder (../var/...): relative paths are the file's.
  string(REPLACE "\"../${from}" "\"${to}" text "${text}")
  string(REPLACE "\"sqlite:../${from}" "\"sqlite:${to}" text "${text}")
endforeach()
string(REGEX MATCH "\"(sqlite:)?(\\.\\./)?var/[^\"]*\"" left "${text}")
if(left)
  message(FATAL_ERROR "make_fhs_config: no FHS place for ${left}: add it to packaging/make_fhs_config.cmake")
endif()

string(REGEX REPLACE "^# mugaika: the default gateway configuration[^\n]*\n"
  "# mugaika: the gateway configuration installed by the Debian package (FHS paths: state in\n# /var/lib/mugaika, the queue in /var/spool/mugaika, the audit log in /var/log/mugaika, the share, the\n# drop folders and the Maildir in /srv/mugaika). Generated from config/mugaika.toml at build time.\n"
  text "${text}")
file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
