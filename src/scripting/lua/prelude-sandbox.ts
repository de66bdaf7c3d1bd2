// Lua source, part 1 of the prelude: runs once per VM, with the host-only libraries (debug,
// coroutine) still loaded, captures what the API needs into locals and builds the sandbox the
// scripts run in. Scripts never see `_G`: each call gets a fresh environment whose libraries are
// read-only per-call proxies, so nothing a script writes survives into the next call.
// Written as String.raw so Lua escapes stay literal (a backtick is written \x60).
export const PRELUDE_SANDBOX = String.raw`
local BUDGET, OPEN_OS, HOSTLOAD = ...
local type, next, select, tostring, tonumber, error = type, next, select, tostring, tonumber, error
local setmetatable, rawget, rawset, rawlen, rawequal, pcall, xpcall = setmetatable, rawget, rawset, rawlen, rawequal, pcall, xpcall
local ipairs, pairs, assert, rawload = ipairs, pairs, assert, load
local dgetmt, setupvalue = debug.getmetatable, debug.setupvalue
local yield = coroutine.yield
local string, table, math = string, table, math
local mtype, floor, huge = math.type, math.floor, math.huge
local sfmt, sbyte, schar, sgsub, supper, slower, sfind, srep = string.format, string.byte, string.char, string.gsub, string.upper, string.lower, string.find, string.rep
local tsort, tremove, tconcat, tunpack = table.sort, table.remove, table.concat, table.unpack

-- Lua 5.1 (gopher-lua) prints integral floats without ".0": tostring(2^3) == "8".
local function num2str(n)
  if mtype(n) == "float" and n == floor(n) and n > -2^53 and n < 2^53 then return sfmt("%d", n) end
  return tostring(n)
end
local function tostr51(v)
  if type(v) == "number" then return num2str(v) end
  return tostring(v)
end

-- Lua patterns backtrack inside C, where the instruction hook cannot stop them ("a*a*b" on 2 KB
-- runs for a minute). Refuse a match whose worst case, subject length ^ (quantifiers, +1 when
-- unanchored), exceeds 1e7 steps (about half a second). A last quantifier (nothing after it)
-- cannot backtrack and is not counted; "-" first in the pattern is a literal.
local function guard(s, p, init)
  if type(s) ~= "string" or type(p) ~= "string" then return end
  local n = #s
  if type(init) == "number" and init > 1 then n = n - init + 1 end
  if n < 2 then return end
  local bare = sgsub(sgsub(sgsub(p, "%%.", "x"), "%[.-%]", "x"), "^(%^?)%-", "%1x")
  bare = sgsub(bare, "[%)%(]", "")
  local _, k = sgsub(bare, "[%*%+%-]", "")
  if sfind(bare, "[%*%+%-]$") then k = k - 1 end
  if k <= 0 then return end
  local e = k + 1
  if sfind(p, "^%^") then e = k end
  if e * math.log(n, 10) > 7 then
    error("pattern too complex for a subject of " .. n .. " bytes", 3)
  end
end
local S = {}
for k, v in next, string do S[k] = v end
S.dump = nil
local ofind, omatch, ogmatch, ogsub = string.find, string.match, string.gmatch, string.gsub
S.find = function(s, p, init, plain) if not plain then guard(s, p, init) end return ofind(s, p, init, plain) end
S.match = function(s, p, init) guard(s, p, init) return omatch(s, p, init) end
S.gmatch = function(s, p, init) guard(s, p, init) return ogmatch(s, p, init) end
S.gsub = function(s, p, r, n) guard(s, p) return ogsub(s, p, r, n) end
S.gfind = S.gmatch
string.dump = nil
local smt = dgetmt("")
smt.__index = S
smt.__metatable = false

local T = {}
for k, v in next, table do T[k] = v end
T.getn = function(t) return #t end
local M = {}
for k, v in next, math do M[k] = v end
M.pow = function(a, b) return a ^ b end
M.mod = math.fmod
local O = nil
if OPEN_OS then O = { time = os.time, clock = os.clock, date = os.date } end

-- Budget and memory errors must not be swallowed by a script's pcall.
local function rethrow(ok, err, ...)
  if not ok and (err == BUDGET or err == "not enough memory") then error(err, 0) end
  return ok, err, ...
end

-- No finalizers: a __gc runs whenever the collector gets to it, in a later call (on that call's
-- budget) or when a VM is closed, outside any call's deadline (an endless one would hang the
-- worker). Lua marks an object for finalization only if its metatable has __gc when
-- setmetatable is called, so refusing it there is enough (a field added later never runs).
local function safe_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then error("__gc metamethods are not allowed", 2) end
  return setmetatable(t, mt)
end

-- The state of the call running (prelude-run's run makes a fresh one per call); IDLE
-- between calls, a table no code writes to (every writer runs inside a call).
local IDLE = {}
local CUR = IDLE
-- A table nothing writes to: stands for a per-call table not made yet.
local EMPTY = {}
-- The models of a call are copied in field by field: CUR.req / CUR.resp start empty and the host
-- function HOSTLOAD(side, key[, name]) pushes a field (plain data, as the C API copies it) the
-- first time a method needs it, so a script pays only for what it reads. HOSTLOAD is a local of
-- the prelude: no script can reach it. The codes are shared with the host (lua-vm.ts).
local SIDE = { req = 1, resp = 2 }
local KEY = { method = 1, url = 2, path = 3, query = 4, headers = 5, body = 6, params = 7, host = 8,
  status = 9, data = 10, isComplete = 11 }
local KEY_HEADER = 12
local function getf(side, key)
  local m = CUR[side]
  local v = m[key]
  if v == nil then
    v = HOSTLOAD(SIDE[side], KEY[key])
    m[key] = v
  end
  return v
end
local function textload(chunk, name, _mode, env)
  if type(chunk) == "string" and sbyte(chunk, 1) == 27 then return nil, "binary chunks are not allowed" end
  if env == nil then env = CUR.env end
  return rawload(chunk, name, "t", env)
end

local SAFE = {
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs,
  rawequal = rawequal, rawget = rawget, rawlen = rawlen, rawset = rawset, select = select,
  setmetatable = safe_setmetatable, getmetatable = getmetatable, tonumber = tonumber, type = type,
  tostring = tostr51, unpack = tunpack, _VERSION = "Lua 5.1",
  print = function() end,
  pcall = function(f, ...) return rethrow(pcall(f, ...)) end,
  xpcall = function(f, h, ...) return rethrow(xpcall(f, h, ...)) end,
  load = textload,
  loadstring = function(s, name) return textload(s, name) end,
}
local ENV_MT = { __index = SAFE, __metatable = false }
-- pairs() on a library gives an iterator that closes over the table: handing out (next, t) would
-- give the script the shared table itself, which rawset could change for every later call.
local function ro(t)
  local function iter(_, k) return next(t, k) end
  return { __index = t, __metatable = false, __pairs = function() return iter, nil, nil end,
    __newindex = function() error("library tables are read-only", 2) end }
end
local LIBMT = { string = ro(S), table = ro(T), math = ro(M) }
if O then LIBMT.os = ro(O) end

-- Every global the scripts could reach through the host's _G is removed; scripts run in their
-- own environment anyway, this is defence in depth.
for _, name in ipairs({ "dofile", "loadfile", "require", "collectgarbage", "debug", "coroutine",
  "io", "os", "package", "print", "warn", "load", "loadstring" }) do rawset(_G, name, nil) end
`;
