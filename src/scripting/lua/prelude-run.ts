// Lua source, part 4 of the prelude: chunk registration and `run`, the entry point the host resumes as a coroutine for every call. Each call
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
-- Results leave as (true, changed fields), true alone (nothing changed) or (false, error
-- table), plain tables the host reads through the C API (bounded there by the memory cap and the
-- time budget); only data tables, strings, numbers and booleans can be read.
local function run(post, hasReq, hasResp)
  local phase = post and "post" or "pre"
  -- Room for _G and the first few globals a script makes (library proxies, its own), so the
  -- environment is not grown step by step on every call.
  local env = setmetatable({ _G = false, [0] = nil, [-1] = nil, [-2] = nil }, ENV_MT)
  env._G = env
  local dirty = {}
  -- The call's state is one fresh table (CUR is the prelude's shared upvalue): one constructor
  -- instead of a store per field, and after the call one assignment puts back the idle state.
  -- The models start empty: their fields are copied in when a method first needs them (getf).
  CUR = { env = env, req = hasReq and {} or nil, resp = hasResp and {} or nil, dirty = dirty, side = post and "resp" or "req",
    mut = nil, keys = nil, root = nil, lazy = nil }
  local ok, err = pcall(body, phase, env)
  -- luaNil.new() is the one NULL table: nothing a script rawset into it may reach the next call.
  if next(NULL) ~= nil then
    for k in next, NULL do rawset(NULL, k, nil) end
  end
  local cur = CUR
  CUR = IDLE
  local req, resp, mut, keys, root, lazy = cur.req, cur.resp, cur.mut or EMPTY, cur.keys or EMPTY, cur.root, cur.lazy
  if ok then
    -- Only the fields the script may have changed leave; the host keeps the rest unchanged.
    -- Nothing changed: no table leaves, the host reads nothing.
    if next(dirty) == nil then return true end
    local m = req
    if post then m = resp end
    local out = {}
    if m then for k in next, dirty do out[k] = m[k] end end
    -- Response data whose only changed table is the root itself (or whose root was never read):
    -- only the keys set or deleted there leave (dataSet, dataDel); every nested table is still
    -- the one copied in.
    if post and out.data ~= nil then
      local first = next(mut)
      if lazy ~= nil or first == nil or (first == root and next(mut, first) == nil) then
        local set, del = root, nil
        if lazy == nil then
          set = {}
          for k in next, keys do
            local v = root[k]
            if v == nil then del = del or new_array(); del[#del + 1] = k else set[k] = v end
          end
        else
          -- A root never read holds exactly the keys the script set: it is the patch itself.
          for k in next, keys do
            if root[k] == nil then del = del or new_array(); del[#del + 1] = k end
          end
        end
        out.data, out.dataSet, out.dataDel = nil, set, del
      end
    end
    return true, out
  end
  if err == BUDGET or err == "not enough memory" then error(err, 0) end
  if type(err) == "table" and dgetmt(err) == CE_MT then
    return false, { kind = "custom_error", status = err.status, body = err.msg, ct = err.ct }
  end
  local msg = type(err) == "string" and err or ("error object is a " .. type(err) .. " value")
  return false, { kind = "failure", message = msg }
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
