// Lua source, part 3 of the prelude: KrakenD's `request`, `response`, `ctx`, `custom_error`,
// `http_response` over the plain models of the current call (CUR.req, CUR.resp), and the
// `http_response.new`, which yields a plain request table to the host; the host performs the
// (allow-listed) call and resumes with a plain answer.
export const PRELUDE_API = String.raw`
local function qesc(s)
  return (sgsub(sgsub(s, "[^%w%-_%.~ ]", function(c) return sfmt("%%%02X", sbyte(c)) end), " ", "+"))
end
local function qunesc(s)
  return (sgsub(sgsub(s, "%+", " "), "%%(%x%x)", function(h) return schar(tonumber(h, 16)) end))
end
-- url.Values.Encode(): keys sorted, values in order.
local function encode_query(q)
  local keys = {}
  for k in next, q do keys[#keys + 1] = k end
  tsort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local l = q[k]
    for i = 1, #l do parts[#parts + 1] = qesc(k) .. "=" .. qesc(l[i]) end
  end
  return tconcat(parts, "&")
end
local function parse_query(s)
  local q = {}
  for pair in ogmatch(s, "[^&]+") do
    local k, v = omatch(pair, "^([^=]*)=?(.*)$")
    k = qunesc(k)
    local l = q[k] or new_array()
    l[#l + 1] = qunesc(v)
    q[k] = l
  end
  return q
end

-- Dirty flags: a field of the call's own model (the request in pre, the response in post) the
-- script may have changed (a setter ran, or a live wrapper over it was handed out) is marked in
-- CUR.dirty; only marked fields leave the call, the host keeps its own copy of the rest. Every
-- path to a model's tables goes through these methods.
local function touch(field, key)
  if field == CUR.side then CUR.dirty[key] = true end
end

-- Headers a script only sets, before anything reads them, are not copied in: the changes wait
-- in m.hset (canonical name -> list, false: removed) and leave as that patch. Any read of the
-- whole map copies the headers in and applies the pending patch to them.
local function headers_of(field)
  local m = CUR[field]
  local h = m.headers
  if h == nil then
    h = HOSTLOAD(SIDE[field], KEY.headers)
    local p = m.hset
    if p ~= nil then
      for k, v in next, p do h[k] = v or nil end
      m.hset = nil
      if field == CUR.side then CUR.dirty.hset = nil end
      touch(field, "headers")
    end
    m.headers = h
  end
  return h
end

local function header_methods(M, field, canon_get)
  function M:headers(...)
    local n = select("#", ...)
    if n == 0 then
      local h = headers_of(field)
      touch(field, "headers")
      return wrap_table(h)
    end
    local k, v = ...
    k = str(k, "#1")
    local m = CUR[field]
    if n == 1 then
      local key = canon_get and canon(k) or k
      local h = m.headers
      if h == nil then
        -- One header read: asked of the host, nothing copied in.
        local l = m.hset and m.hset[key]
        if l ~= nil then return l and l[1] or "" end
        return HOSTLOAD(SIDE[field], KEY_HEADER, key) or ""
      end
      local l = h[key]
      return l and l[1] or ""
    end
    local val = false
    if v ~= nil then val = new_array({ str(v, "#2") }) end
    local h = m.headers
    if h == nil then
      local p = m.hset
      if p == nil then p = {}; m.hset = p end
      p[canon(k)] = val
      touch(field, "hset")
    else
      touch(field, "headers")
      h[canon(k)] = val or nil
    end
  end
  function M:headerList(...)
    local n = select("#", ...)
    local k, v = ...
    k = canon(str(k, "#1"))
    local h = headers_of(field)
    touch(field, "headers")
    if n == 1 then return wrap_list(h[k] or new_array()) end
    if v == nil then h[k] = nil else h[k] = list_of_strings(v) end
  end
end
local function string_field(M, name, field, key)
  M[name] = function(_, ...)
    if select("#", ...) == 0 then return getf(field, key) end
    CUR[field][key] = str((...), "#1")
    touch(field, key)
  end
end
local function params_method(M, field)
  function M:params(...)
    local n, p = select("#", ...), getf(field, "params")
    if n == 0 then touch(field, "params"); return wrap_table(p) end
    local k, v = ...
    k = str(k, "#1")
    if n == 1 then return p[k] or "" end
    touch(field, "params")
    if v == nil then p[k] = nil else p[k] = str(v, "#2") end
  end
end

local REQ = {}
string_field(REQ, "method", "req", "method")
string_field(REQ, "path", "req", "path")
string_field(REQ, "url", "req", "url")
string_field(REQ, "body", "req", "body")
header_methods(REQ, "req", true)
params_method(REQ, "req")
function REQ:query(...)
  if select("#", ...) == 0 then return encode_query(getf("req", "query")) end
  CUR.req.query = parse_query(str((...), "#1"))
  touch("req", "query")
end

local CTX = {}
string_field(CTX, "method", "req", "method")
string_field(CTX, "host", "req", "host")
string_field(CTX, "body", "req", "body")
header_methods(CTX, "req", true)
params_method(CTX, "req")
function CTX:url(...)
  local r = CUR.req
  if select("#", ...) == 0 then
    local q, path = encode_query(getf("req", "query")), getf("req", "path")
    return q == "" and path or (path .. "?" .. q)
  end
  local u = str((...), "#1")
  local p, q = omatch(u, "^([^?]*)%??(.*)$")
  r.path, r.query = p, parse_query(q)
  touch("req", "path"); touch("req", "query")
end
function CTX:query(...)
  local n, q = select("#", ...), getf("req", "query")
  if n == 0 then error("ctx:query needs a key", 2) end
  local k, v = ...
  k = str(k, "#1")
  if n == 1 then local l = q[k]; return l and l[1] or "" end
  touch("req", "query")
  if v == nil then q[k] = nil else q[k] = new_array({ str(v, "#2") }) end
end

local RESP = {}
string_field(RESP, "body", "resp", "body")
header_methods(RESP, "resp", false)
function RESP:statusCode(...)
  if select("#", ...) == 0 then return getf("resp", "status") end
  local s = tonumber((...))
  if s == nil or s ~= floor(s) then error("statusCode expects an integer", 2) end
  CUR.resp.status = floor(s)
  touch("resp", "status")
end
function RESP:isComplete(...)
  if select("#", ...) == 0 then return getf("resp", "isComplete") end
  CUR.resp.isComplete = (...) and true or false
  touch("resp", "isComplete")
end
function RESP:data()
  touch("resp", "data")
  local m = CUR.resp
  local d = m.data
  if d == nil then
    -- An empty root that fills itself on the first read (prelude-data's fill).
    d = {}
    m.data, CUR.lazy, CUR.root = d, d, d
  end
  return wrap_table(d)
end

-- load() returns one object per call (kept in the call's model under a key no script can name):
-- a shared one would carry whatever a script rawset into it over to the next call.
local OBJ = {}
local function loader(M, field, what)
  local mt = { __index = M, __metatable = false }
  return { load = function()
    local m = CUR[field]
    if m == nil then error(what .. " is not available here", 2) end
    local o = m[OBJ]
    if o == nil then
      o = setmetatable({}, mt)
      m[OBJ] = o
    end
    return o
  end }
end
LIBMT.request = ro(loader(REQ, "req", "request"))
LIBMT.response = ro(loader(RESP, "resp", "response"))
LIBMT.ctx = ro(loader(CTX, "req", "ctx"))

local CE_MT = { __metatable = false, __tostring = function(e) return rawget(e, "msg") end }
SAFE.custom_error = function(msg, status, ct)
  local s = tonumber(status)
  if s == nil or s ~= floor(s) then s = -1 end
  error(setmetatable({ msg = tostr51(msg), status = s, ct = ct ~= nil and tostr51(ct) or nil }, CE_MT), 0)
end

local HR = {}
local HR_MT = { __index = HR, __metatable = false }
function HR:statusCode() return self_of(self, "http_response").status end
function HR:body() return self_of(self, "http_response").body end
function HR:close() end
function HR:headers(k)
  local l = self_of(self, "http_response").headers[canon(str(k, "#1"))]
  return l and l[1] or ""
end
local HTTP = { new = function(url, method, body, headers)
  local h = {}
  local hs = headers and (UNDER[headers] or headers)
  if type(hs) == "table" then
    for k, v in next, hs do h[keystr(k)] = type(v) == "table" and (UNDER[v] or v)[1] or str(v, "header") end
  end
  local r = yield({ url = str(url, "#1"), method = method and str(method, "#2") or "GET",
    body = body and str(body, "#3") or "", headers = h })
  if type(r) ~= "table" or r.error then error("http_response: " .. tostring(r and r.error), 2) end
  local w = setmetatable({}, HR_MT)
  UNDER[w] = r
  return w
end }
LIBMT.http_response = ro(HTTP)

`;
