// Lua source, part 4 of the prelude: chunk registration, the JSON encoder results leave
// through, and `run`, the entry point the host resumes as a coroutine for every call. Each call
// gets a fresh environment; sources run again in it, then `pre` or `post` (KrakenD's order).
export const PRELUDE_RUN = String.raw`
local chunks = { sources = {} }
local function register(kind, fn)
  if kind == "source" then chunks.sources[#chunks.sources + 1] = fn else chunks[kind] = fn end
end
local function body(phase, env)
  for i = 1, #chunks.sources do
    local f = chunks.sources[i]
    setupvalue(f, 1, env)
    f()
  end
  local f = chunks[phase]
  if f then setupvalue(f, 1, env); f() end
end
-- Results leave as one JSON string (one copy out instead of several C calls per value). It runs
-- inside the call, so the budget and the memory cap bound it: a DAG that would expand
-- exponentially fails on the cap instead of growing the host's heap.
local ESC = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function esc_char(c) return ESC[c] or sfmt("\\u%04x", sbyte(c)) end
local function jstr(s)
  if sfind(s, '[%c"\\]') then s = sgsub(s, '[%c"\\]', esc_char) end
  return '"' .. s .. '"'
end
local function enc(v, out, depth)
  local tv = type(v)
  if tv == "string" then out[#out + 1] = jstr(v)
  elseif tv == "number" then
    if mtype(v) == "integer" then out[#out + 1] = sfmt("%d", v)
    elseif v ~= v or v == huge or v == -huge then out[#out + 1] = "null"
    else out[#out + 1] = sfmt("%.17g", v) end
  elseif tv == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif v == nil or v == NULL then out[#out + 1] = "null"
  elseif tv == "table" then
    if depth > 64 then error("data nested too deep (or cyclic)", 0) end
    if dgetmt(v) == ARRAY then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        enc(v[i], out, depth + 1)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for k, x in next, v do
        local tk = type(k)
        if tk == "string" or tk == "number" or tk == "boolean" then
          if not first then out[#out + 1] = "," end
          first = false
          out[#out + 1] = jstr(tk == "string" and k or keystr(k))
          out[#out + 1] = ":"
          enc(x, out, depth + 1)
        end
      end
      out[#out + 1] = "}"
    end
  else
    error("a Lua " .. tv .. " cannot leave the script", 0)
  end
end
local function encode(v)
  local out = {}
  enc(v, out, 0)
  return tconcat(out)
end

local function run(phase, req, resp)
  if req == NULL then req = nil end
  if resp == NULL then resp = nil end
  local env = setmetatable({}, ENV_MT)
  env._G = env
  local dirty = { req = {}, resp = {} }
  CUR.env, CUR.req, CUR.resp, CUR.dirty = env, req, resp, dirty
  local ok, err = pcall(body, phase, env)
  CUR.env, CUR.req, CUR.resp, CUR.dirty = nil, nil, nil, nil
  if ok then
    -- Only the fields the script may have changed leave; the host keeps the rest unchanged.
    local m, d = req, dirty.req
    if phase == "post" then m, d = resp, dirty.resp end
    local out = {}
    if m then for k in next, d do out[k] = m[k] end end
    return encode({ ok = true, model = out })
  end
  if err == BUDGET or err == "not enough memory" then error(err, 0) end
  if type(err) == "table" and dgetmt(err) == CE_MT then
    return encode({ ok = false, kind = "custom_error", status = err.status, body = err.msg, ct = err.ct })
  end
  local msg = type(err) == "string" and err or ("error object is a " .. type(err) .. " value")
  return encode({ ok = false, kind = "failure", message = msg })
end
-- Library proxies are made on first use in a call (most scripts touch two or three of them):
-- a global missing from SAFE looks up LIBMT and stores a fresh proxy in the call's env.
setmetatable(SAFE, { __metatable = false, __index = function(_, name)
  local mt = LIBMT[name]
  if mt == nil or CUR.env == nil then return nil end
  local p = setmetatable({}, mt)
  rawset(CUR.env, name, p)
  return p
end })
return { register = register, run = run, array = ARRAY, null = NULL }
`;
