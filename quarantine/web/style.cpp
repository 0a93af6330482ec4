// The officer UI's stylesheet (served as /static/style.css; the CSP allows no inline style). Laid out
// for the officer PC's usual 1366x768: fixed table layouts with column widths, long words wrapped, the
// requested release kind and every destructive action set apart.
#include "web_internal.hpp"

namespace mugaika::quarantine::web {

const char* stylesheet() {
    return R"(*{box-sizing:border-box}
body{font-family:"Noto Sans CJK JP","IPAGothic",sans-serif;margin:0;color:#222;background:#f4f5f7;font-size:15px;line-height:1.5}
header{background:#234;color:#fff;padding:.4em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header h1{font-size:1.05em;margin:0}header a{color:#fff}nav{display:flex;gap:1em;align-items:center;flex-wrap:wrap}
nav .who{opacity:.85;font-size:.9em}.lang{margin-left:auto}
main{padding:.8em 1.2em;max-width:1100px}main.wide{max-width:none}main.narrow{max-width:640px}
h2{font-size:1.25em;margin:.3em 0 .6em;overflow-wrap:anywhere}h3{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;background:#fff;table-layout:fixed}
th,td{border:1px solid #ccd;padding:.3em .45em;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#e8ecf4;font-weight:600}
.wrap{overflow-wrap:anywhere}small{color:#555}
col.c-time{width:9.5em}col.c-title{width:26%}col.c-section{width:7em}col.c-party{width:20%}col.c-type{width:9em}
col.c-reason{width:12%}col.c-state{width:6.5em}col.c-who{width:7em}col.c-kind{width:12em}col.c-seq{width:3.5em}
col.c-action{width:11em}col.c-item{width:13em}col.c-outcome{width:4.5em}col.c-user{width:9em}col.c-role{width:12em}
col.c-enrol{width:12em}col.c-status{width:7em}
.msg{padding:.6em .8em;border-radius:4px;margin:.5em 0}.msg.error{background:#fde8e8;border:1px solid #c66}
.msg.ok{background:#e6f4e6;border:1px solid #6a6}.msg p{margin:.2em 0}
form.action{margin:1em 0;padding:.7em;border:1px solid #ccd;background:#fff;display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end}
form.action h3{flex-basis:100%;margin:0}form.action .hint{flex-basis:100%}
form.action label{display:flex;flex-direction:column;font-size:.9em}
form.danger{border-color:#c44;background:#fff6f6}form.inline{display:inline}
form.filter{display:flex;flex-wrap:wrap;gap:.4em .9em;align-items:flex-end;margin:.3em 0 .8em;padding:.6em;background:#fff;border:1px solid #ccd}
form.filter label{display:flex;flex-direction:column;font-size:.85em}
form.login{display:flex;flex-direction:column;gap:.7em;background:#fff;padding:1em;border:1px solid #ccd}
form.login label{display:flex;flex-direction:column}
label.check{flex-direction:row!important;gap:.4em;align-items:center;font-size:1em!important}
input[type=text],input[type=password],input[type=date],select{font-size:1em;padding:.25em .35em;max-width:100%}
input[type=text],input[type=password]{min-width:13em}button{font-size:1em;padding:.3em .9em;cursor:pointer}
form.danger button{background:#b22;color:#fff;border:1px solid #900}
.hint{margin:.2em 0;color:#555;font-size:.9em}.count{margin:.2em 0;color:#555}
.state.release_requested{font-weight:bold;color:#a50}.state.held{color:#234}.state.released{color:#262}
.status{background:#fff;border-left:6px solid #234;padding:.4em .8em;margin:.4em 0}.status p{margin:.2em 0}
.status.state-release_requested{border-color:#d80}.status.state-released{border-color:#393}
.partial{background:#fffbe6;border:1px solid #d9b84a;padding:.5em .8em;margin:.6em 0}.partial p{margin:.25em 0}
.pending{background:#eef4ff;border:2px solid #4a6fb5;padding:.6em .9em;margin:.8em 0}
.pending.danger{background:#fff0f0;border-color:#c22}.pending-title{margin:0;font-weight:600}
.release-kind{font-size:1.35em;font-weight:bold;margin:.2em 0;color:#1d3f80}.release-kind.danger{color:#b00}
.warn-text{color:#900;font-weight:600}.danger-text{color:#b00;font-weight:600}.failure{color:#b00}
.warn{color:#b00;font-size:.85em;font-weight:600}.held{color:#a50}
.pending-role{color:#a50}
tr.denied{background:#fff3f3}tr.error{background:#fde0e0}
code{font-size:.85em;word-break:break-all}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15em 1em;background:#fff;padding:.5em .8em;border:1px solid #dde}
dl.meta dt{font-weight:600}dl.meta dd{margin:0;overflow-wrap:anywhere}
dl.detail{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:0 .6em;margin:0;font-size:.88em}
dl.detail dt{color:#555}dl.detail dd{margin:0;overflow-wrap:anywhere}
.summary{white-space:pre-line;background:#fff;padding:.5em .8em;border:1px solid #dde}
ul.findings li,ul.held-parts li{overflow-wrap:anywhere}
td.ops{white-space:normal}td.ops form{margin:.1em 0}
.qr-box{display:flex;gap:1em;align-items:center;flex-wrap:wrap;background:#fff;padding:.6em;border:1px solid #dde}
svg.qr{border:1px solid #ccc}ol.steps li{margin-bottom:1em}
.enrolment .code code{font-size:1.4em;letter-spacing:.08em}code.secret{font-size:1.15em;letter-spacing:.05em;word-break:normal}
.pager{margin:.6em 0}
)";
}

}  // namespace mugaika::quarantine::web
