// Lua source, part 2 of the prelude: KrakenD's data helpers (luaTable, luaList 0-based, luaNil)
// over plain Lua tables, with KrakenD's Lua -> data conversion rules. JSON arrays are tables
// whose (raw) metatable is ARRAY, JSON null is the NULL table; the host converts by identity.
// Wrappers keep their table in a weak side table, so a script cannot pairs() its way to it.
export const PRELUDE_DATA = String.raw`
local ARRAY = { __metatable = false }
local NULL = setmetatable({}, { __metatable = false, __tostring = function() return "luaNil" end })
local UNDER = setmetatable({}, { __mode = "k" })
local TABLE_M, LIST_M = {}, {}
local TABLE_MT = { __index = TABLE_M, __metatable = false }
local LIST_MT = { __index = LIST_M, __metatable = false }
local function wrap_table(t) local w = setmetatable({}, TABLE_MT); UNDER[w] = t; return w end
local function wrap_list(l) local w = setmetatable({}, LIST_MT); UNDER[w] = l; return w end
local function new_array(t) return setmetatable(t or {}, ARRAY) end

local function keystr(k)
  local tk = type(k)
  if tk == "string" then return k end
  if tk == "number" then return num2str(k) end
  if tk == "boolean" then return tostring(k) end
  error("bad key type: " .. tk, 3)
end
local function str(v, what)
  local tv = type(v)
  if tv == "string" then return v end
  if tv == "number" then return num2str(v) end
  error("bad argument " .. (what or "") .. " (string expected, got " .. tv .. ")", 3)
end

-- The response data root is copied in only when a script reads it (CUR.lazy is the root while it
-- is not): keys set or deleted before that stay as the script left them (CUR.keys), the others
-- come from the host. A script that only sets or deletes top-level keys never copies the data in.
local function fill(t)
  if t ~= CUR.lazy then return t end
  CUR.lazy = nil
  local full, keys = HOSTLOAD(2, 10), CUR.keys or EMPTY
  for k, v in next, full do
    if keys[k] == nil then t[k] = v end
  end
  return t
end

-- internal -> script: arrays and objects come back as live wrappers, null as nil.
local function out_value(v)
  if type(v) ~= "table" then return v end
  if v == NULL then return nil end
  if dgetmt(v) == ARRAY then return wrap_list(v) end
  return wrap_table(v)
end

-- script -> internal (krakend-lua types.go): a native table set at the top becomes an object
-- with string keys, even a 1-based list; nested native tables whose keys are all integers
-- become arrays ordered by key; wrappers store their own table (no copy); nil/luaNil -> null.
local function in_value(v, nested, depth)
  local tv = type(v)
  if tv == "string" or tv == "number" or tv == "boolean" then return v end
  if v == nil or v == NULL then return NULL end
  if tv ~= "table" then error("cannot store a " .. tv .. " value", 3) end
  local u = UNDER[v]
  if u then return fill(u) end
  if depth > 64 then error("data nested too deep", 3) end
  if nested then
    local n, ints = 0, true
    for k in next, v do
      n = n + 1
      if type(k) ~= "number" or k ~= floor(k) then ints = false; break end
    end
    if ints and n > 0 then
      local keys = {}
      for k in next, v do keys[#keys + 1] = k end
      tsort(keys)
      local arr = new_array()
      for i = 1, #keys do arr[i] = in_value(rawget(v, keys[i]), true, depth + 1) end
      return arr
    end
  end
  local obj = {}
  for k, x in next, v do obj[keystr(k)] = in_value(x, true, depth + 1) end
  return obj
end
local function store(v) return in_value(v, false, 0) end

local function self_of(w, what)
  local t = UNDER[w]
  if t == nil then error(what .. " method called without ':'", 3) end
  return t
end
-- Every table a script changes is noted in CUR.mut (and its keys in CUR.keys for the response
-- data root): when only the data root changed, just those keys leave the call (prelude-run).
local function mutated(t, k)
  if CUR.env == nil then return end
  local m = CUR.mut
  if m == nil then m = {}; CUR.mut = m end
  m[t] = true
  if t == CUR.root then
    local keys = CUR.keys
    if keys == nil then keys = {}; CUR.keys = keys end
    keys[k] = true
  end
end
function TABLE_M.get(w, k) return out_value(fill(self_of(w, "luaTable"))[keystr(k)]) end
function TABLE_M.set(w, k, v)
  local t, key = self_of(w, "luaTable"), keystr(k)
  t[key] = store(v)
  mutated(t, key)
end
function TABLE_M.del(w, k)
  local t, key = self_of(w, "luaTable"), keystr(k)
  t[key] = nil
  mutated(t, key)
end
function TABLE_M.keyExists(w, k) return fill(self_of(w, "luaTable"))[keystr(k)] ~= nil end
function TABLE_M.len(w)
  local n = 0
  for _ in next, fill(self_of(w, "luaTable")) do n = n + 1 end
  return n
end
function TABLE_M.keys(w)
  local ks = new_array()
  for k in next, fill(self_of(w, "luaTable")) do ks[#ks + 1] = k end
  tsort(ks)
  return wrap_list(ks)
end
local function index(i)
  if type(i) ~= "number" or i ~= floor(i) then error("luaList index must be an integer", 3) end
  return i + 1
end
function LIST_M.get(w, i)
  local l = self_of(w, "luaList")
  local j = index(i)
  if j < 1 or j > #l then return nil end
  return out_value(l[j])
end
function LIST_M.set(w, i, v)
  local l = self_of(w, "luaList")
  local j = index(i)
  if j < 1 then error("luaList index out of range", 2) end
  if j > #l + 1 + 65536 then error("luaList index out of range", 2) end
  for p = #l + 1, j - 1 do l[p] = NULL end
  l[j] = store(v)
  mutated(l)
end
function LIST_M.len(w) return #self_of(w, "luaList") end
function LIST_M.del(w, i)
  local l = self_of(w, "luaList")
  local j = index(i)
  if j >= 1 and j <= #l then tremove(l, j) end
  mutated(l)
end
local LUATABLE = { new = function() return wrap_table({}) end }
local LUALIST = { new = function() return wrap_list(new_array()) end }
local LUANIL = { new = function() return NULL end }
LIBMT.luaTable = ro(LUATABLE)
LIBMT.luaList = ro(LUALIST)
LIBMT.luaNil = ro(LUANIL)

-- Headers: Go's textproto canonical form (unchanged when the name has a non-token byte).
-- Names repeat from call to call: a memo per VM (short names only, emptied when full, so it
-- stays small whatever the scripts use; it maps a name to its canonical form and nothing else).
local CANON, ncanon = {}, 0
local function canon(k)
  local c = CANON[k]
  if c then return c end
  if sfind(k, "[^%w!#$%%&'%*%+%-%.%^_\x60|~]") then c = k
  else c = sgsub(sgsub(slower(k), "^%l", supper), "%-%l", supper) end
  if #k <= 64 then
    if ncanon >= 256 then CANON, ncanon = {}, 0 end
    CANON[k], ncanon = c, ncanon + 1
  end
  return c
end
local function list_of_strings(v)
  local u = UNDER[v]
  local src = u or v
  if type(src) ~= "table" then return new_array({ str(v, "#2") }) end
  local out = new_array()
  for i = 1, #src do out[i] = str(src[i], "list item") end
  return out
end
`;
