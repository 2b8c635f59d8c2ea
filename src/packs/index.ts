// The registry of technology packs, sorted by id. Adding a pack: a folder with an
// index.ts default-exporting a TechPack, and one line here.
import awsSdk from './aws-sdk/index.js';
import bullmq from './bullmq/index.js';
import dockerCompose from './docker-compose/index.js';
import dotenv from './dotenv/index.js';
import express from './express/index.js';
import httpClients from './http-clients/index.js';
import nestjs from './nestjs/index.js';
import nodeCron from './node-cron/index.js';
import opossum from './opossum/index.js';
import pg from './pg/index.js';
import prisma from './prisma/index.js';
import redis from './redis/index.js';
import sdks from './sdks/index.js';
import serverless from './serverless/index.js';
import type { TechPack } from './types.js';

export const PACKS: readonly TechPack[] = [awsSdk, bullmq, dockerCompose, dotenv, express, httpClients, nestjs, nodeCron, opossum, pg, prisma, redis, sdks, serverless];
