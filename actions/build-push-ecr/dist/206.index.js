export const id=206;export const ids=[206];export const modules={4206:(o,s,t)=>{t.d(s,{fromEnv:()=>r.sF});var r=t(529)}};
