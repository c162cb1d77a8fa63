#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
static void rs8(const float*in, float*out){ _mm256_storeu_ps(out,_mm256_rsqrt_ps(_mm256_loadu_ps(in))); }
int main(){
  int K = 11; // test k from 4..10 on endpoints quickly
  for (int k = 4; k <= 10; k++) {
    long bad=0;
    for (int e = 127; e <= 128; e++) for (uint32_t hi = 0; hi < (1u<<k); hi++) {
      uint32_t b0=(e<<23)|(hi<<(23-k)), b1=b0|((1u<<(23-k))-1); float in[8],out[8];
      memcpy(&in[0],&b0,4); memcpy(&in[1],&b1,4); for(int j=2;j<8;j++) in[j]=1; rs8(in,out); if(out[0]!=out[1]) bad++; }
    printf("k=%d bad=%ld\n",k,bad); if(bad==0){K=k;break;}
  }
  // exhaustive: table on exponent 127/128, then every normal positive float
  static uint32_t table[2][1<<11];
  for (int p=0;p<2;p++) for (uint32_t hi=0; hi<(1u<<K); hi++){ uint32_t b=((127+p)<<23)|(hi<<(23-K)); float in[8],out[8]; memcpy(&in[0],&b,4); for(int j=1;j<8;j++) in[j]=1; rs8(in,out); memcpy(&table[p][hi],&out[0],4);} 
  long bad=0, checked=0; 
  for (uint32_t bits = 0x00800000u; bits < 0x7f800000u; bits += 8) {
    float in[8], out[8]; memcpy(in,&bits,4); for(int j=1;j<8;j++){uint32_t b=bits+j; memcpy(&in[j],&b,4);} rs8(in,out);
    for (int j=0;j<8;j++){ uint32_t b=bits+j; int e=(b>>23)&0xff; int p=(e-127)&1; uint32_t hi=(b&0x7fffff)>>(23-K);
      uint32_t t=table[p][hi]; int te=(t>>23)&0xff; // scale: rsqrt(x*2^(2m)) = rsqrt(x)*2^-m
      int m = ((e-127) - p)/2; uint32_t exp = te - m; uint32_t pred = (exp<<23)|(t&0x7fffff); uint32_t got; memcpy(&got,&out[j],4);
      checked++; if (got!=pred){ if(bad<5) printf("mismatch bits=%08x got=%08x pred=%08x\n",b,got,pred); bad++;} }
  }
  printf("K=%d checked=%ld bad=%ld\n",K,checked,bad);
  for (int j=0;j<4;j++) printf("%08x ", table[0][j]); printf("\n");
  // special values
  float sp[8]={0.0f,-0.0f,INFINITY,-1.0f,NAN,1e-40f,1.0f,4.0f}; float o[8]; rs8(sp,o); for(int j=0;j<8;j++) printf("%g ",o[j]); printf("\n");
}
