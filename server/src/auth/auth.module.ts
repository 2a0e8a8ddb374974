import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IntegrationKeyGuard } from './integration-key.guard';
import { IntegrationKeysService } from './integration-keys.service';
import { IntegrationsController } from './integrations.controller';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Global()
@Module({
  controllers: [AuthController, IntegrationsController, UsersController, ApiTokensController],
  providers: [AuthService, UsersService, ApiTokensService, IntegrationKeysService, IntegrationKeyGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, UsersService, IntegrationKeysService, IntegrationKeyGuard],
})
export class AuthModule {}
